import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../data/types';
import type { VariantMeasurement } from '../measure/compare';
import type { LatencyStats } from '../measure/latency';
import { measureLatency } from '../measure/latency';
import { fp32WeightBytes } from '../measure/measure-model';
import { gzipBytes, modelBytes } from '../measure/size';
import type { ModelHandle } from '../network/stage-types';
import { evaluate } from '../train/evaluate';
import type { Evaluation } from '../train/evaluate';

/** Median/p90 latency of one predict call (read back) at a batch size: ≥ 5 warm-ups, ≥ 30 runs. */
export async function measurePredictLatency(
  predict: (x: tf.Tensor) => tf.Tensor,
  inputShape: readonly number[],
  batch: number,
): Promise<LatencyStats> {
  const x = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 11);
  try {
    return await measureLatency(async () => {
      const y = predict(x);
      await y.data();
      y.dispose();
    });
  } finally {
    x.dispose();
  }
}

/**
 * Measures a variant the same way as every other: top-1 accuracy on the test split (through the
 * handle's predict, i.e. the converted model when there is one), exact stored bytes, MACs, and
 * latency at batch 1 and 32 on the active backend.
 */
export async function measureHandle(
  handle: ModelHandle,
  data: Dataset,
  variant: string,
  pipeline: string,
): Promise<{ measurement: VariantMeasurement; evaluation: Evaluation }> {
  const predict = handle.predict ?? ((x: tf.Tensor) => handle.model.predict(x) as tf.Tensor);
  const evaluation = await evaluate(predict, data.test, data.inputShape, data.numClasses);
  const sizeBytes = modelBytes(handle.storage);
  const allFloat = handle.storage.every((s) => s.bits === 32);
  // gzip of what ships: the float weights (zeros from pruning compress); packed formats are
  // already dense codes, so gzip is left unmeasured for them.
  const gzip = allFloat ? await gzipBytes(fp32WeightBytes(handle.model)) : null;
  const notes = [...handle.notes];
  let b1: LatencyStats | null = null;
  let b32: LatencyStats | null = null;
  try {
    b1 = await measurePredictLatency(predict, data.inputShape, 1);
    b32 = await measurePredictLatency(predict, data.inputShape, 32);
  } catch (error) {
    // A backend can fail here after training fine (a lost GPU device): keep the rest.
    const reason = error instanceof Error ? error.message : String(error);
    notes.push(`Latency could not be measured on this backend (${reason}).`);
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
      note: notes.join(' '),
    },
  };
}
