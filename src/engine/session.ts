import type { StageLoader } from './pipeline/registry';
import * as tf from '@tensorflow/tfjs';
import type { BackendName, DatasetSpec, Experiment } from '../experiment/schema';
import type { Dataset } from './data/types';
import { buildModel } from './network/build';
import { RunControl } from './train/control';
import type { EpochRecord, StepRecord } from './train/loop';
import { trainModel } from './train/loop';
import { expandVariants } from '../experiment/expand';
import type { RunEvent } from './pipeline/runner';
import { measureHandle } from './pipeline/measure-variant';
import {
  clearCache,
  measureVariant,
  pipelineLabel,
  runVariant,
  teacherReference,
} from './pipeline/runner';
import type { ModelHandle } from './network/stage-types';
import type { Variant } from '../experiment/stages';
import type { Inspection } from './inspect';
import { exploreTemperature, inspectHandle, quantizerOf } from './inspect';
import { handleFromModel } from './network/handle';
import { RunCancelledError } from './train/control';
import type { ExportedModel } from './export/artifacts';
import { loadExported, saveToMemory } from './export/artifacts';
import { teacherKey } from '../experiment/measurement';
import type { OnnxArtifact } from './export/variant-onnx';
import {
  exportModelOf,
  exportOnnxOf,
  onnxReasonFor,
  teacherSafetensorsOf,
} from './session-exports';
import { evaluate } from './train/evaluate';
import type { SensitivityTable } from '../techniques/prune/stage/report';
import { runSensitivity } from '../techniques/prune/stage/report';
import type { QuantSensitivityTable } from '../techniques/quantize/stage/sensitivity';
import { runQuantSensitivity } from '../techniques/quantize/stage/sensitivity';
import type { QuantAnalysis } from '../techniques/quantize/stage/analyzer';
import { analyzeOf, scanTeacherOf } from './session-scans';
import { ResourceError, isOutOfMemory, memoryRefusal, outOfMemoryMessage } from './measure/memory';
import type { TestSamples } from './data/preview';
import { testSamplesAt } from './data/preview';
import type { DatasetLoader, StoredTeacherMeta, TeacherOutcome } from './session-types';
export type { DatasetLoader, StoredTeacherMeta, TeacherOutcome } from './session-types';
export type { TestSamples };

/**
 * The engine's state across calls: the loaded dataset and the trained teacher. One run at a
 * time; `control` pauses or cancels it.
 */
export class EngineSession {
  dataset: Dataset | null = null;
  private datasetKey = '';
  private requestedKey = '';
  teacher: tf.LayersModel | null = null;
  teacherOutcome: TeacherOutcome | null = null;
  /** Dataset, seed and teacher spec the current teacher was trained with. */
  teacherKey = '';
  control: RunControl | null = null;
  /** A stored teacher still loading (loadTeacher): runAll waits for it rather than train one. */
  private teacherLoad: Promise<unknown> | null = null;
  private readonly cache = new Map<string, ModelHandle>();
  /** The final handle of every variant of the last run (owned by the cache). */
  readonly variantHandles = new Map<string, { variant: Variant; handle: ModelHandle }>();
  /** The teacher's test-split predictions, kept for the teacher model they came from. */
  private teacherPredictionsCache: { model: tf.LayersModel; predictions: Uint8Array } | null = null;

  constructor(
    private readonly loader: DatasetLoader,
    private readonly stages: StageLoader | null = null,
  ) {}

  /**
   * Runs the whole experiment: trains the teacher unless an identical one is already trained,
   * then every variant (with student-alone baselines), each measured the same way. A variant
   * that fails is reported and the others still run; cancel stops everything. Results travel
   * only as events: first `teacher`, then one `result` (or `error`) per variant.
   */
  async runAll(
    experiment: Experiment,
    onStep: (source: string, record: StepRecord) => void,
    onEpoch: (record: EpochRecord) => void,
    onEvent: (event: RunEvent) => void,
  ): Promise<void> {
    const backend = tf.getBackend() as BackendName;
    const refusal = memoryRefusal(experiment, backend);
    if (refusal) throw new ResourceError(refusal);
    try {
      await this.runAllUnguarded(experiment, onStep, onEpoch, onEvent);
    } catch (error) {
      if (isOutOfMemory(error)) throw new ResourceError(outOfMemoryMessage(experiment, backend));
      throw error;
    }
  }

  /** runAll without the memory guard: teacher (unless trained), then every variant. */
  private async runAllUnguarded(
    experiment: Experiment,
    onStep: (source: string, record: StepRecord) => void,
    onEpoch: (record: EpochRecord) => void,
    onEvent: (event: RunEvent) => void,
  ): Promise<void> {
    // A Run all that arrives while the stored teacher loads (just after a reload) reuses it.
    if (this.teacherLoad) await this.teacherLoad;
    if (!this.teacher || !this.teacherOutcome || this.teacherKey !== teacherKey(experiment)) {
      await this.trainTeacher(experiment, (r) => onStep('teacher', r), onEpoch);
    }
    // The teacher's row can be shown while the variants still run.
    onEvent({ kind: 'teacher', teacher: this.teacherOutcome! });
    const teacher = this.teacher!;
    const data = this.dataset!;
    if (!this.stages) throw new Error('No compression techniques are registered in this engine.');
    const control = new RunControl();
    this.control = control;
    let timedBeside: Awaited<ReturnType<typeof teacherReference>> | null = null;
    try {
      // The teacher as it ships is timed beside every variant, so each speedup is a fair pair.
      const arch = experiment.teacher.architecture;
      timedBeside = await teacherReference(teacher, arch, data, this.teacherOutcome!.measurement);
      const { reference } = timedBeside;
      for (const variant of expandVariants(experiment)) {
        try {
          const handle = await runVariant(variant, {
            data,
            teacher,
            teacherArchitecture: experiment.teacher.architecture,
            seed: experiment.seed,
            control,
            stages: this.stages,
            cache: this.cache,
            teacherKey: this.teacherKey,
            onEvent,
            onStep: (id, record) => onStep(id, record),
          });
          this.variantHandles.set(variant.id, { variant, handle });
          // measureVariant reports the row as a `result` event.
          await measureVariant(
            variant,
            handle,
            { data, onEvent, reference },
            pipelineLabel(variant),
          );
        } catch (error) {
          if (error instanceof RunCancelledError) throw error;
          const message = isOutOfMemory(error)
            ? outOfMemoryMessage(experiment, tf.getBackend() as BackendName)
            : error instanceof Error
              ? error.message
              : String(error);
          onEvent({ kind: 'error', variantId: variant.id, message });
        }
      }
    } finally {
      timedBeside?.dispose();
      this.control = null;
    }
  }

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
      await control.checkpoint();
      // Measured exactly like every variant: same accuracy, size and latency code.
      const handle = handleFromModel(
        model,
        experiment.teacher.architecture,
        data.inputShape,
        data.numClasses,
        'teacher',
      );
      handle.notes.push('the reference: full-precision float32');
      const { measurement, evaluation } = await measureHandle(
        handle,
        data,
        'teacher',
        'teacher (fp32)',
      );
      // A cancel during the measurement must stop the run: runAll goes on under a new control.
      await control.checkpoint();
      this.replaceTeacher(model, teacherKey(experiment));
      // The measurement already evaluated the test split: keep its predictions for the views.
      this.teacherPredictionsCache = { model, predictions: evaluation.predictions };
      this.teacherOutcome = {
        key: teacherKey(experiment),
        measurement,
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
      return this.teacherOutcome;
    } catch (error) {
      model.dispose();
      throw error;
    } finally {
      this.control = null;
    }
  }

  /** Reports of the teacher or of a variant of the last run, for the technique views. */
  async inspect(source: string, experiment: Experiment, layerName?: string): Promise<Inspection> {
    if (!this.teacher || !this.dataset) throw new Error('Train the teacher first.');
    const teacher = handleFromModel(
      this.teacher,
      experiment.teacher.architecture,
      this.dataset.inputShape,
      this.dataset.numClasses,
      'teacher',
    );
    if (source === 'teacher') return inspectHandle(source, teacher, quantizerOf(null), layerName);
    const entry = this.variantHandles.get(source);
    if (!entry) throw new Error(`No results for variant “${source}” yet: run it first.`);
    const quantizer = quantizerOf(entry.variant);
    return inspectHandle(source, entry.handle, quantizer, layerName, teacher);
  }

  /**
   * The quantization analyzer of a variant of the last run (static PTQ or QAT): accuracies with
   * weights / activations quantized, each layer's quantizers switched off, errors and ranges.
   */
  /** The quantization analyzer on a quantized variant of the last run (see session-scans). */
  analyzeQuantization = (source: string): Promise<QuantAnalysis> => analyzeOf(this, source);

  /** softmax(z/T) of one test example for the teacher and, optionally, a variant's model. */
  async temperature(index: number, variantId: string | null) {
    if (!this.teacher || !this.dataset) throw new Error('Train the teacher first.');
    const student = variantId ? (this.variantHandles.get(variantId)?.handle.model ?? null) : null;
    return exploreTemperature(this.dataset, index, this.teacher, student);
  }

  /** Pruning sensitivity scan of the trained teacher (see session-scans). */
  sensitivity = (
    experiment: Experiment,
    sparsities: readonly number[] | undefined,
    onProgress: (fraction: number, message: string) => void,
  ): Promise<SensitivityTable> =>
    scanTeacherOf(this, experiment, onProgress, (ctx, handle) =>
      runSensitivity(ctx, handle, sparsities),
    );

  /** Quantization sensitivity scan of the trained teacher (see session-scans). */
  quantSensitivity = (
    experiment: Experiment,
    bits: readonly number[] | undefined,
    onProgress: (fraction: number, message: string) => void,
  ): Promise<QuantSensitivityTable> =>
    scanTeacherOf(this, experiment, onProgress, (ctx, handle) =>
      runQuantSensitivity(ctx, handle, bits),
    );

  /** Saves the teacher's weights to `url` (e.g. 'indexeddb://cp-teacher'); null if none. */
  async saveTeacher(
    experiment: Experiment,
    url = 'indexeddb://cp-teacher',
  ): Promise<StoredTeacherMeta | null> {
    if (!this.teacher || !this.teacherOutcome) return null;
    if (this.teacherKey !== teacherKey(experiment)) return null;
    await this.teacher.save(url);
    return { outcome: this.teacherOutcome };
  }

  /**
   * Loads teacher weights saved by saveTeacher when they belong to this experiment, so runAll
   * reuses them instead of training. Returns whether the stored teacher was adopted.
   */
  async loadTeacher(
    experiment: Experiment,
    meta: StoredTeacherMeta,
    url = 'indexeddb://cp-teacher',
  ): Promise<boolean> {
    if (this.control || meta.outcome.key !== teacherKey(experiment)) return false;
    const load = tf
      .loadLayersModel(url)
      .then((model) => this.adoptTeacher(model, experiment, meta.outcome));
    const settled = load.catch(() => {});
    this.teacherLoad = settled;
    try {
      await load;
      return true;
    } finally {
      if (this.teacherLoad === settled) this.teacherLoad = null;
    }
  }

  /** The teacher as tfjs artifacts (topology, float32 weight specs, one weight buffer). */
  async exportTeacher(): Promise<ExportedModel> {
    if (!this.teacher) throw new Error('Train the teacher first.');
    return saveToMemory(this.teacher);
  }

  /** The trained teacher's kernels and biases as safetensors, for the PyTorch script. */
  exportTeacherSafetensors = (): Promise<Uint8Array> => teacherSafetensorsOf(this);

  /** Adopts imported teacher artifacts and their results for `experiment` (no training). */
  async importTeacher(
    artifacts: ExportedModel,
    experiment: Experiment,
    outcome: TeacherOutcome,
  ): Promise<void> {
    if (this.control) throw new Error('A run is in progress: wait for it or cancel it.');
    const model = await loadExported(artifacts);
    await this.adoptTeacher(model, experiment, outcome);
  }

  private async adoptTeacher(
    model: tf.LayersModel,
    experiment: Experiment,
    outcome: TeacherOutcome,
  ): Promise<void> {
    try {
      const data = await this.ensureDataset(experiment.dataset, experiment.seed);
      const shape = model.inputs[0]?.shape.slice(1);
      if (JSON.stringify(shape) !== JSON.stringify(data.inputShape)) {
        throw new Error('The stored teacher does not fit this dataset’s input shape.');
      }
      if (this.control) throw new Error('A run started meanwhile: the stored teacher is unused.');
    } catch (error) {
      model.dispose();
      throw error;
    }
    const key = teacherKey(experiment);
    this.replaceTeacher(model, key);
    this.teacherOutcome = { ...outcome, key };
  }

  /** The teacher or a variant as stock tfjs artifacts (see session-exports). */
  exportModel = (source: string): Promise<ExportedModel> => exportModelOf(this, source);
  /** The teacher or a variant as ONNX, what was measured (see session-exports). */
  exportOnnx = (source: string): Promise<OnnxArtifact> => exportOnnxOf(this, source);
  /** Why `source` cannot be exported as ONNX, or null when it can. */
  onnxReason = (source: string): Promise<string | null> => onnxReasonFor(this, source);

  /** True class of every test example (a copy), 0 … numClasses − 1. */
  testLabels(): Uint8Array {
    if (!this.dataset) throw new Error('Load a dataset first.');
    return this.dataset.test.y.slice();
  }

  /** Test examples at `indices` for the disagreement view (see testSamplesAt). */
  testSamples(indices: number[]): TestSamples {
    if (!this.dataset) throw new Error('Load a dataset first.');
    return testSamplesAt(this.dataset, indices);
  }

  /** argmax of the teacher's output on every test example, computed once per teacher. */
  async teacherPredictions(): Promise<Uint8Array> {
    const teacher = this.teacher;
    const data = this.dataset;
    if (!teacher || !data) throw new Error('Train the teacher first.');
    if (this.teacherPredictionsCache?.model !== teacher) {
      const { predictions } = await evaluate(
        (x) => teacher.predict(x) as tf.Tensor,
        data.test,
        data.inputShape,
        data.numClasses,
      );
      this.teacherPredictionsCache = { model: teacher, predictions };
    }
    return this.teacherPredictionsCache.predictions.slice();
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

  /**
   * Frees the teacher and every variant model (their weights are tensors, on a GPU: GPU memory);
   * the dataset stays. Refused during a run. After it, runAll trains the teacher again.
   */
  releaseModels(): void {
    if (this.control) throw new Error('A run is in progress: wait for it or cancel it.');
    this.replaceTeacher(null, '');
    this.teacherOutcome = null;
  }

  /** Disposes the old teacher and every variant model built from it; `model` takes its place. */
  private replaceTeacher(model: tf.LayersModel | null, key: string): void {
    clearCache(this.cache, null);
    this.variantHandles.clear();
    this.teacherPredictionsCache = null;
    this.teacher?.dispose();
    this.teacher = model;
    this.teacherKey = key;
  }
}
