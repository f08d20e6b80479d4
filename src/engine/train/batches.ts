import * as tf from '@tensorflow/tfjs';
import type { DataSplit } from '../data/types';

/**
 * Copies the examples at `indices[start … start+size)` into a batch: x shaped [size, …inputShape],
 * labels as int32 [size]. Returned tensors belong to the caller.
 */
export function makeBatch(
  split: DataSplit,
  inputShape: readonly number[],
  indices: ArrayLike<number>,
  start: number,
  size: number,
): { x: tf.Tensor; labels: tf.Tensor1D } {
  const features = inputShape.reduce((a, b) => a * b, 1);
  const xs = new Float32Array(size * features);
  const ys = new Int32Array(size);
  for (let i = 0; i < size; i++) {
    const index = indices[start + i]!;
    xs.set(split.x.subarray(index * features, (index + 1) * features), i * features);
    ys[i] = split.y[index]!;
  }
  return { x: tf.tensor(xs, [size, ...inputShape]), labels: tf.tensor1d(ys, 'int32') };
}

/** Batch boundaries [start, size) covering n examples in batches of at most batchSize. */
export function batchRanges(n: number, batchSize: number): [number, number][] {
  const out: [number, number][] = [];
  for (let start = 0; start < n; start += batchSize)
    out.push([start, Math.min(batchSize, n - start)]);
  return out;
}
