import * as tf from '@tensorflow/tfjs';
import type { DataSplit } from '../data/types';
import { batchRanges, makeBatch } from './batches';

export interface Evaluation {
  /** Top-1 accuracy in 0..1. */
  accuracy: number;
  /** Row = true class, column = predicted class; counts, row-major numClasses². */
  confusion: number[];
  /** Predicted class of every test example (for disagreement views). */
  predictions: Uint8Array;
  count: number;
}

/** Top-1 accuracy = (1/n) Σ [argmax f(xᵢ) = yᵢ], with the confusion matrix of counts. */
export async function evaluate(
  predict: (x: tf.Tensor) => tf.Tensor,
  split: DataSplit,
  inputShape: readonly number[],
  numClasses: number,
  batchSize = 256,
): Promise<Evaluation> {
  const identity = Uint32Array.from({ length: split.count }, (_, i) => i);
  const predictions = new Uint8Array(split.count);
  for (const [start, size] of batchRanges(split.count, batchSize)) {
    const { x, labels } = makeBatch(split, inputShape, identity, start, size);
    // A predict that throws (a lost GPU device, an engine fault) must not leave the batch behind.
    try {
      const argmax = tf.tidy(() => tf.argMax(predict(x), -1));
      const values = await argmax.data();
      argmax.dispose();
      predictions.set(values, start);
    } finally {
      tf.dispose([x, labels]);
    }
  }
  const confusion = new Array<number>(numClasses * numClasses).fill(0);
  let correct = 0;
  for (let i = 0; i < split.count; i++) {
    const truth = split.y[i]!;
    const guess = predictions[i]!;
    if (truth === guess) correct++;
    const cell = truth * numClasses + guess;
    confusion[cell] = (confusion[cell] ?? 0) + 1;
  }
  return {
    accuracy: split.count ? correct / split.count : 0,
    confusion,
    predictions,
    count: split.count,
  };
}
