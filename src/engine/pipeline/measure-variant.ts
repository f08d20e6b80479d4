import { mirrorWeights } from '../backends/cpu-mirror';
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types';
import type { VariantMeasurement } from '../../experiment/compare';
import { measuredSpeedNote } from '../../experiment/compare';
import type { LatencyStats } from '../measure/latency';
import { fp32WeightBytes } from '../measure/measure-model';
import { gzipBytes, modelBytes } from '../measure/size';
import { floatTensorPath } from '../kernels/paths';
import {
  measurePairedPredictLatency,
  measurePredictLatency,
  quickMedianMs,
} from '../measure/predict-latency';
import { buildFromLayers, extractLayers } from '../network/layer-ir';
import type { NamedLayer } from '../network/layers';
import type { ModelHandle } from '../network/stage-types';
import { evaluate } from '../train/evaluate';
import type { Evaluation } from '../train/evaluate';

/** Class names of layers that only training needs: masks and fake-quant grids. */
const TRAINING_ONLY_LAYERS = /^(Masked|FakeQuant|ActivationFakeQuant)/;

/** How a handle runs as it ships, which path that is, and what to free afterwards. */
export interface ShippedPredictor {
  predict: (x: tf.Tensor) => tf.Tensor;
  /** Plain words for the note, e.g. "dense float kernels (tfjs), masks baked into the weights". */
  path: string;
  dispose: () => void;
}

/**
 * The artifact a handle ships as, on the fastest correct path. A converted integer model runs as
 * its stage chose (the int8 wasm engine, or the reference path). A float model is read as plain
 * layers (masks baked in: no kernel ⊙ mask per call) and runs on tfjs or on our f32 wasm engine
 * (dense or CSR per layer), whichever measured faster at batch 32 — the same choice for the
 * teacher and every variant, so a speedup is never just a faster engine. Accuracy, latency and
 * exports all use this, never the training model.
 */
export async function shippedPredictor(
  handle: ModelHandle,
  inputShape: readonly number[],
): Promise<ShippedPredictor> {
  if (handle.predict) {
    return {
      predict: handle.predict,
      path: handle.predictPath ?? 'converted model',
      dispose: () => {},
    };
  }
  const model = handle.model;
  const trainingOnly = model.layers.some((l) => TRAINING_ONLY_LAYERS.test(l.getClassName()));
  // Our engine runs on the CPU: it competes with tfjs's CPU backends only. On a GPU backend the
  // model stays there (and its weights are read back only when masks must be baked).
  const backend = tf.getBackend();
  const onCpu = backend === 'wasm' || backend === 'cpu';
  let tfjs: ShippedPredictor = {
    predict: (x) => model.predict(x) as tf.Tensor,
    path: onCpu ? 'dense float kernels (tfjs)' : `dense float kernels (tfjs on ${backend})`,
    dispose: () => {},
  };
  if (!trainingOnly && !onCpu) return tfjs;
  let layers: NamedLayer[] | null;
  try {
    layers = extractLayers(model);
  } catch {
    layers = null; // a layer the plain IR cannot hold: time the model as it is
  }
  if (layers && trainingOnly) {
    const baked = buildFromLayers(layers, [...inputShape]);
    tfjs = {
      predict: (x) => baked.predict(x) as tf.Tensor,
      path: `${tfjs.path}, masks baked into the weights`,
      dispose: () => baked.dispose(),
    };
  }
  if (!layers || !onCpu) return tfjs;
  try {
    return await fasterOf(tfjs, layers, inputShape);
  } catch (error) {
    // A predict that fails while timed (an engine fault, memory) leaves no baked model behind.
    tfjs.dispose();
    throw error;
  }
}

/** The tfjs path or our f32 wasm engine, whichever is faster at batch 32 (tfjs's freed if not). */
async function fasterOf(
  tfjs: ShippedPredictor,
  layers: NamedLayer[],
  inputShape: readonly number[],
): Promise<ShippedPredictor> {
  const engine = await floatTensorPath(layers, inputShape);
  if ('reason' in engine)
    return { ...tfjs, path: `${tfjs.path}; f32 wasm engine not used: ${engine.reason}` };
  const tfjsMs = await quickMedianMs(tfjs.predict, inputShape);
  const engineMs = await quickMedianMs(engine.predict, inputShape);
  if (engineMs < tfjsMs) {
    tfjs.dispose();
    return {
      predict: engine.predict,
      path: `${engine.path} (measured faster than tfjs here)`,
      dispose: () => {},
    };
  }
  return { ...tfjs, path: `${tfjs.path} (measured faster than the f32 wasm engine here)` };
}

/**
 * Measures a variant the same way as every other: top-1 accuracy on the test split of the
 * artifact as it ships (shippedPredictor), exact stored bytes, MACs, latency at batch 1 and 32 on
 * the active backend, a note naming the path that ran and, given the teacher's measurement, the
 * measured speed against it.
 */
export async function measureHandle(
  handle: ModelHandle,
  data: Dataset,
  variant: string,
  pipeline: string,
  teacher?: TeacherReference,
): Promise<{ measurement: VariantMeasurement; evaluation: Evaluation }> {
  await mirrorWeights(handle.model);
  const shipped = await shippedPredictor(handle, data.inputShape);
  try {
    return await measureShipped(handle, shipped, data, variant, pipeline, teacher);
  } finally {
    shipped.dispose();
  }
}

/** The teacher's row and, when it is at hand, its shipped predict to time beside a variant. */
export interface TeacherReference {
  measurement: VariantMeasurement;
  predict?: (x: tf.Tensor) => tf.Tensor;
}

/** Latency at batch 1 and 32: alone, or in alternation with the teacher's predict. */
async function latencies(
  predict: (x: tf.Tensor) => tf.Tensor,
  inputShape: readonly number[],
  reference: ((x: tf.Tensor) => tf.Tensor) | undefined,
) {
  const at = async (batch: number) =>
    reference
      ? await measurePairedPredictLatency(predict, reference, inputShape, batch)
      : { variant: await measurePredictLatency(predict, inputShape, batch), teacher: null };
  return { b1: await at(1), b32: await at(32) };
}

async function measureShipped(
  handle: ModelHandle,
  shipped: ShippedPredictor,
  data: Dataset,
  variant: string,
  pipeline: string,
  teacher: TeacherReference | undefined,
): Promise<{ measurement: VariantMeasurement; evaluation: Evaluation }> {
  const predict = shipped.predict;
  const evaluation = await evaluate(predict, data.test, data.inputShape, data.numClasses);
  const sizeBytes = modelBytes(handle.storage);
  const allFloat = handle.storage.every((s) => s.bits === 32);
  // gzip of what ships: the float weights (zeros from pruning compress); packed formats are
  // already dense codes, so gzip is left unmeasured for them.
  const gzip = allFloat ? await gzipBytes(fp32WeightBytes(handle.model)) : null;
  const notes = [...handle.notes];
  let b1: LatencyStats | null = null;
  let b32: LatencyStats | null = null;
  let paired: { b1: number | null; b32: number | null } | null = null;
  try {
    const timed = await latencies(predict, data.inputShape, teacher?.predict);
    b1 = timed.b1.variant;
    b32 = timed.b32.variant;
    if (timed.b1.teacher && timed.b32.teacher) {
      paired = { b1: timed.b1.teacher.medianMs, b32: timed.b32.teacher.medianMs };
    }
  } catch (error) {
    // A backend can fail here after training fine (a lost GPU device): keep the rest.
    const reason = error instanceof Error ? error.message : String(error);
    notes.push(`Latency could not be measured on this backend (${reason}).`);
  }
  notes.push(`Timed on: ${shipped.path}.`);
  const pairedFields = paired
    ? { pairedTeacherB1MedianMs: paired.b1, pairedTeacherB32MedianMs: paired.b32 }
    : {};
  if (teacher) {
    const speed = measuredSpeedNote(teacher.measurement, {
      latencyB1MedianMs: b1?.medianMs ?? null,
      latencyB32MedianMs: b32?.medianMs ?? null,
      ...pairedFields,
    });
    if (speed) notes.push(speed);
  }
  return {
    evaluation,
    measurement: {
      variant,
      pipeline,
      accuracy: evaluation.accuracy,
      sizeBytes,
      gzipBytes: gzip,
      params: handle.storage.reduce((a, s) => a + s.shape.reduce((p, d) => p * d, 1), 0),
      macs: handle.macs,
      effectiveMacs: handle.effectiveMacs,
      latencyB1MedianMs: b1?.medianMs ?? null,
      latencyB1P90Ms: b1?.p90Ms ?? null,
      latencyB32MedianMs: b32?.medianMs ?? null,
      latencyB32P90Ms: b32?.p90Ms ?? null,
      ...pairedFields,
      note: notes.map((n) => n.replace(/[.;]\s*$/, '')).join('; '),
    },
  };
}
