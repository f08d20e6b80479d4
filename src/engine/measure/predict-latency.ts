/**
 * Latency of a tensor predict as the results table measures it: on a seeded uniform input, each
 * run read back (so GPU work is counted) and its output freed.
 */
import * as tf from '@tensorflow/tfjs';
import type { LatencyStats } from './latency';
import { measureLatency, measurePairedLatency } from './latency';

/** Runs `measure` on a seeded uniform input of `batch` examples, freed afterwards. */
async function onInput<T>(
  inputShape: readonly number[],
  batch: number,
  measure: (x: tf.Tensor) => Promise<T>,
): Promise<T> {
  const x = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 11);
  try {
    return await measure(x);
  } finally {
    x.dispose();
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
  return onInput(inputShape, batch, (x) => measureLatency(predictRun(predict, x)));
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
  return onInput(inputShape, batch, async (x) => {
    const [variant, teacher] = await measurePairedLatency(
      predictRun(predict, x),
      predictRun(reference, x),
    );
    return { variant, teacher };
  });
}

/** Median ms of a few predict calls at batch 32 (read back), to pick the faster of two paths. */
export async function quickMedianMs(
  predict: (x: tf.Tensor) => tf.Tensor,
  inputShape: readonly number[],
) {
  const stats = await onInput(inputShape, 32, (x) =>
    measureLatency(predictRun(predict, x), { warmup: 5, runs: 30 }),
  );
  return stats.medianMs;
}
