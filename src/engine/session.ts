import * as tf from '@tensorflow/tfjs';
import type { DatasetSpec, Experiment } from '../experiment/schema';
import type { BackendName } from '../experiment/schema';
import type { Dataset } from './data/types';
import type { VariantMeasurement } from './measure/compare';
import { layerCosts, totalMacs } from './measure/macs';
import { fp32Size, measureModelLatency } from './measure/measure-model';
import { buildModel } from './models/build';
import { RunControl } from './train/control';
import { evaluate } from './train/evaluate';
import type { EpochRecord, StepRecord } from './train/loop';
import { trainModel } from './train/loop';

export interface TeacherOutcome {
  accuracy: number;
  confusion: number[];
  numClasses: number;
  params: number;
  steps: number;
  elapsedMs: number;
  samplesPerSec: number;
  backend: BackendName;
  epochs: EpochRecord[];
  /** Measured the same way as every variant: accuracy, bytes, MACs, latency. */
  measurement: VariantMeasurement;
}

/** Loads a dataset: the worker passes a loader that fetches files, tests one that makes data. */
export type DatasetLoader = (spec: DatasetSpec, seed: number) => Promise<Dataset>;

/**
 * The engine's state across calls: the loaded dataset and the trained teacher. One run at a
 * time; `control` pauses or cancels it.
 */
export class EngineSession {
  dataset: Dataset | null = null;
  private datasetKey = '';
  private requestedKey = '';
  teacher: tf.LayersModel | null = null;
  control: RunControl | null = null;

  constructor(private readonly loader: DatasetLoader) {}

  /** Loads the dataset unless the same spec and seed are already loaded. */
  async ensureDataset(spec: DatasetSpec, seed: number): Promise<Dataset> {
    const key = JSON.stringify([spec, seed]);
    if (this.dataset && this.datasetKey === key) return this.dataset;
    this.dataset = null;
    this.requestedKey = key;
    const dataset = await this.loader(spec, seed);
    // A later request wins: an older load finishing late must not replace it.
    if (this.requestedKey === key) {
      this.dataset = dataset;
      this.datasetKey = key;
    }
    return dataset;
  }

  /** Trains a fresh teacher for the experiment, replacing the previous one only on success. */
  async trainTeacher(
    experiment: Experiment,
    onStep: (record: StepRecord) => void,
    onEpoch: (record: EpochRecord) => void,
  ): Promise<TeacherOutcome> {
    if (this.control) throw new Error('A run is already in progress: wait for it or cancel it.');
    const data = await this.ensureDataset(experiment.dataset, experiment.seed);
    const control = new RunControl();
    this.control = control;
    const model = buildModel(
      experiment.teacher.architecture,
      data.inputShape,
      data.numClasses,
      experiment.seed,
    );
    try {
      const result = await trainModel({
        model,
        data,
        training: experiment.teacher.training,
        seed: experiment.seed,
        control,
        onStep,
        onEpoch,
        evaluateEachEpoch: true,
      });
      const evaluation = await evaluate(
        (x) => model.predict(x) as tf.Tensor,
        data.test,
        data.inputShape,
        data.numClasses,
      );
      await control.checkpoint();
      const size = await fp32Size(model);
      const latency = await measureModelLatency(model, data.inputShape);
      const macs = totalMacs(
        layerCosts(experiment.teacher.architecture, data.inputShape, data.numClasses),
      );
      this.teacher?.dispose();
      this.teacher = model;
      return {
        measurement: {
          variant: 'teacher',
          pipeline: 'teacher (fp32)',
          accuracy: evaluation.accuracy,
          sizeBytes: size.bytes,
          gzipBytes: size.gzipBytes,
          params: model.countParams(),
          macs,
          effectiveMacs: macs,
          latencyB1MedianMs: latency.batch1.medianMs,
          latencyB1P90Ms: latency.batch1.p90Ms,
          latencyB32MedianMs: latency.batch32.medianMs,
          latencyB32P90Ms: latency.batch32.p90Ms,
          note: 'the reference: full-precision float32',
        },
        accuracy: evaluation.accuracy,
        confusion: evaluation.confusion,
        numClasses: data.numClasses,
        params: model.countParams(),
        steps: result.steps,
        elapsedMs: result.elapsedMs,
        samplesPerSec: result.samplesPerSec,
        backend: tf.getBackend() as BackendName,
        epochs: result.epochs,
      };
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      this.control = null;
    }
  }

  pause(): void {
    this.control?.pause();
  }

  resume(): void {
    this.control?.resume();
  }

  cancel(): void {
    this.control?.cancel();
  }
}
