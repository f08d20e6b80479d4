/** Tiny data sets, teachers, contexts and params shared by the quantization tests (test support). */
import * as tf from '@tensorflow/tfjs';
import type { PtqParams, QatParams } from '../spec';
import type { Dataset } from '../../../engine/data/types';
import { createRng } from '../../../engine/rng';
import { RunControl } from '../../../engine/train/control';
import type { StepRecord } from '../../../engine/train/loop';
import type { StageContext } from '../../../engine/network/stage-types';

// The same tiny data sets and teachers as the prune tests.
export {
  bars,
  blobs,
  CNN,
  MLP,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';

/** A stage context that records steps and progress. */
export function testContext(
  data: Dataset,
  teacher: tf.LayersModel,
): StageContext & { steps: StepRecord[]; progress: [number, string][] } {
  const steps: StepRecord[] = [];
  const progress: [number, string][] = [];
  return {
    data,
    teacher,
    seed: 5,
    rng: createRng(5),
    control: new RunControl(),
    onStep: (r) => steps.push(r),
    onProgress: (f, m) => progress.push([f, m]),
    steps,
    progress,
  };
}

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
