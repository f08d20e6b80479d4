/**
 * Latency of a tensor predict as the results table measures it: on a seeded uniform input, each
 * run read back (so GPU work is counted) and its output freed.
 */
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../rng';
import type { LatencyStats } from './latency';
import { measureLatency, measurePairedLatency } from './latency';

/**
 * `count` copies of a seeded uniform batch, x ~ U[0, 1), made from CPU values: one per predictor,
 * so a path on the CPU (our wasm engines) reads its input without a GPU read-back even on a GPU
 * backend. tfjs-webgpu reads a GPU tensor synchronously through a canvas, which in Chromium
 * destroyed the device (seen on SwiftShader); and once a GPU path has used a tensor, tfjs keeps
 * it on the GPU only.
 */
export function latencyInputs(inputShape: readonly number[], batch: number, count: number) {
  const rng = createRng(11);
  const shape = [batch, ...inputShape];
  const values = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng());
  return Array.from({ length: count }, () => tf.tensor(values, shape));
}

/** Runs `measure` on one input of latencyInputs per predictor, freed afterwards. */
async function onInput<T>(
  inputShape: readonly number[],
  batch: number,
  count: number,
  measure: (xs: tf.Tensor[]) => Promise<T>,
): Promise<T> {
  const xs = latencyInputs(inputShape, batch, count);
  try {
    return await measure(xs);
  } finally {
    tf.dispose(xs);
  }
}

/** One predict of `x`, read back (so GPU work is counted) and freed: what a latency run times. */
const predictRun = (predict: (x: tf.Tensor) => tf.Tensor, x: tf.Tensor) => async () => {
  const y = predict(x);
  await y.data();
  y.dispose();
};

/** Median/p90 latency of one predict call (read back) at a batch size, as measureLatency times. */
export async function measurePredictLatency(
  predict: (x: tf.Tensor) => tf.Tensor,
  inputShape: readonly number[],
  batch: number,
): Promise<LatencyStats> {
  return onInput(inputShape, batch, 1, ([x]) => measureLatency(predictRun(predict, x!)));
}

/**
 * Latency of `predict` and of the teacher's `reference` at a batch size, timed in alternation
 * (measurePairedLatency) so the ratio t_reference / t_predict is fair on a busy machine.
 */
export async function measurePairedPredictLatency(
  predict: (x: tf.Tensor) => tf.Tensor,
  reference: (x: tf.Tensor) => tf.Tensor,
  inputShape: readonly number[],
  batch: number,
): Promise<{ variant: LatencyStats; teacher: LatencyStats }> {
  return onInput(inputShape, batch, 2, async ([x, y]) => {
    const [variant, teacher] = await measurePairedLatency(
      predictRun(predict, x!),
      predictRun(reference, y!),
    );
    return { variant, teacher };
  });
}

/** Median ms of a few predict calls at batch 32 (read back), to pick the faster of two paths. */
export async function quickMedianMs(
  predict: (x: tf.Tensor) => tf.Tensor,
  inputShape: readonly number[],
) {
  const stats = await onInput(inputShape, 32, 1, ([x]) =>
    measureLatency(predictRun(predict, x!), { warmup: 5, runs: 30 }),
  );
  return stats.medianMs;
}
