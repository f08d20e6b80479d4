import { describe, expect, it } from 'vitest';
import {
  VALIDATION_MAX,
  holdOutValidation,
  validationCount,
  validationIndices,
} from './validation';
import { makeSyntheticDataset } from './synthetic';

describe('the validation split', () => {
  it('holds out ⌊n/10⌋ examples, at most 1,000', () => {
    expect(validationCount(0)).toBe(0);
    expect(validationCount(9)).toBe(0);
    expect(validationCount(200)).toBe(20);
    expect(validationCount(6000)).toBe(600);
    expect(validationCount(60_000)).toBe(VALIDATION_MAX);
  });

  it('is seeded, ascending, distinct, and differs between seeds', () => {
    const a = validationIndices(500, 7);
    expect(Array.from(a)).toEqual(Array.from(validationIndices(500, 7)));
    expect(new Set(a).size).toBe(50);
    expect(Array.from(a)).toEqual(Array.from(a).sort((x, y) => x - y));
    expect(Array.from(validationIndices(500, 8))).not.toEqual(Array.from(a));
  });

  it('train and validation partition the training examples, each in its original order', () => {
    const n = 40;
    const x = Float32Array.from({ length: n * 2 }, (_, i) => i);
    const y = Uint8Array.from({ length: n }, (_, i) => i % 3);
    const { train, validation } = holdOutValidation({ x, y, count: n }, [2], 3);
    expect(train.count + validation.count).toBe(n);
    expect(validation.count).toBe(4);
    const firstOf = (split: typeof train) =>
      Array.from({ length: split.count }, (_, k) => split.x[2 * k]! / 2);
    const all = [...firstOf(train), ...firstOf(validation)].sort((p, q) => p - q);
    expect(all).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(firstOf(validation)).toEqual(Array.from(validationIndices(n, 3)));
    firstOf(train).forEach((i, k) => expect(train.y[k]).toBe(i % 3));
  });

  it('every loaded dataset carries it, and the models never train on it', () => {
    const spec = { id: 'moons' as const, trainSize: 300, testSize: 50, noise: 0.1 };
    const d = makeSyntheticDataset(spec, 5);
    expect(d.validation.count).toBe(30);
    expect(d.train.count).toBe(270);
    const key = (x: Float32Array, k: number) => `${x[2 * k]},${x[2 * k + 1]}`;
    const trained = new Set(Array.from({ length: d.train.count }, (_, k) => key(d.train.x, k)));
    for (let k = 0; k < d.validation.count; k++) {
      expect(trained.has(key(d.validation.x, k))).toBe(false);
    }
  });
});
