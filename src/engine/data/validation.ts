import { createRng, shuffledIndices } from '../rng';
import { featureSize } from './types';
import { validationCount } from '../../experiment/splits';
import type { DataSplit } from './types';

export { VALIDATION_FRACTION, VALIDATION_MAX, validationCount } from '../../experiment/splits';

/** Seed of the hold-out shuffle: seed ⊕ 0x5EED, so it never repeats the data's own sequence. */
export function validationSeedOf(seed: number): number {
  return (seed ^ 0x5eed) >>> 0;
}

/**
 * The held-out positions, ascending: the first validationCount(n) of the Fisher–Yates shuffle of
 * [0, n) by mulberry32(validationSeedOf(seed)) (the PyTorch script does the same).
 */
export function validationIndices(n: number, seed: number): Uint32Array {
  const order = shuffledIndices(n, createRng(validationSeedOf(seed)));
  return order.slice(0, validationCount(n)).sort();
}

function gather(split: DataSplit, indices: ArrayLike<number>, size: number): DataSplit {
  const count = indices.length;
  const x = new Float32Array(count * size);
  const y = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const i = indices[k]!;
    x.set(split.x.subarray(i * size, (i + 1) * size), k * size);
    y[k] = split.y[i]!;
  }
  return { x, y, count };
}

/**
 * Splits the training examples into what is trained on and a held-out validation split (see
 * validationIndices), each in its original order. Every choice the app makes from data
 * (sensitivity-guided sparsities, …) is made on the validation split; the test split only scores.
 */
export function holdOutValidation(
  train: DataSplit,
  inputShape: readonly number[],
  seed: number,
): { train: DataSplit; validation: DataSplit } {
  const held = validationIndices(train.count, seed);
  const isHeld = new Uint8Array(train.count);
  for (const i of held) isHeld[i] = 1;
  const kept: number[] = [];
  for (let i = 0; i < train.count; i++) if (!isHeld[i]) kept.push(i);
  const size = featureSize(inputShape);
  return { train: gather(train, kept, size), validation: gather(train, held, size) };
}
