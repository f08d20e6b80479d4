/** Tiny data sets, teachers, contexts and params shared by the quantization tests (test support). */
import * as tf from '@tensorflow/tfjs';
import type { PtqParams, QatParams } from '../spec';
import type { Dataset } from '../../../engine/data/types';

/** PTQ params as the zod schema fills them, with overrides. */
export function ptqParamsWith(overrides: Partial<PtqParams>): PtqParams {
  return {
    mode: 'static',
    weightBits: 8,
    activationBits: 8,
    scheme: 'symmetric',
    granularity: 'per-channel',
    powerOfTwo: false,
    observer: 'minmax',
    emaMomentum: 0.9,
    percentile: 99.99,
    calibrationSize: 64,
    ...overrides,
  };
}

/** QAT params as the zod schema fills them, with overrides. */
export function qatParamsWith(overrides: Partial<QatParams>): QatParams {
  return {
    weightBits: 8,
    activationBits: 8,
    scheme: 'symmetric',
    granularity: 'per-channel',
    learnedScale: false,
    fromScratch: false,
    epochs: 2,
    learningRate: 0.005,
    ...overrides,
  };
}

/** Top-1 accuracy (0..1) of a predictor on a split, computed directly. */
export function accuracyOf(predict: (x: tf.Tensor) => tf.Tensor, data: Dataset): number {
  return tf.tidy(() => {
    const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
    const picks = tf.argMax(predict(x), -1).dataSync();
    let correct = 0;
    picks.forEach((p, i) => {
      if (p === data.test.y[i]) correct++;
    });
    return correct / data.test.count;
  });
}
