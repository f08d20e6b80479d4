import { describe, expect, it } from 'vitest';
import type { DatasetSpec } from '../../experiment/schema';
import { SYNTHETIC_DATASETS, numClassesOf } from '../../experiment/schema';
import { createRng } from '../rng';
import { generate, isSyntheticId, makeSyntheticDataset, testSeedOf } from './synthetic';

const spec = (id: DatasetSpec['id'], over: Partial<DatasetSpec> = {}): DatasetSpec => ({
  id,
  trainSize: 301,
  testSize: 97,
  noise: 0.1,
  ...over,
});

/** Mean distance of each point to the centroid of its own class: a measure of spread. */
function meanSpread(x: Float32Array, y: Uint8Array, numClasses: number): number {
  const sums = Array.from({ length: numClasses }, () => [0, 0, 0]);
  for (let i = 0; i < y.length; i++) {
    const s = sums[y[i]!]!;
    s[0]! += x[2 * i]!;
    s[1]! += x[2 * i + 1]!;
    s[2]! += 1;
  }
  let total = 0;
  for (let i = 0; i < y.length; i++) {
    const s = sums[y[i]!]!;
    total += Math.hypot(x[2 * i]! - s[0]! / s[2]!, x[2 * i + 1]! - s[1]! / s[2]!);
  }
  return total / y.length;
}

describe('generate', () => {
  it.each(SYNTHETIC_DATASETS)('%s: balanced, labelled within range, features O(1)', (id) => {
    const k = numClassesOf(id);
    const split = generate(id, 301, 0.1, createRng(1));
    expect(split.count).toBe(301);
    expect(split.x.length).toBe(602);
    expect(split.y.length).toBe(301);
    const counts = new Array<number>(k).fill(0);
    for (const label of split.y) counts[label] = counts[label]! + 1;
    expect(counts.reduce((a, b) => a + b, 0)).toBe(301);
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    let maxAbs = 0;
    let sumSq = 0;
    for (const v of split.x) {
      expect(Number.isFinite(v)).toBe(true);
      maxAbs = Math.max(maxAbs, Math.abs(v));
      sumSq += v * v;
    }
    expect(maxAbs).toBeLessThan(1.6);
    const rms = Math.sqrt(sumSq / split.x.length);
    expect(rms).toBeGreaterThan(0.2);
    expect(rms).toBeLessThan(1);
  });

  it.each(SYNTHETIC_DATASETS)('%s: labels are shuffled, not in class order', (id) => {
    const { y } = generate(id, 60, 0, createRng(3));
    const inOrder = Array.from(y).every((label, i) => label === i % numClassesOf(id));
    expect(inOrder).toBe(false);
  });

  it.each(SYNTHETIC_DATASETS)('%s: noise 1 spreads each class more than noise 0', (id) => {
    const k = numClassesOf(id);
    const calm = generate(id, 600, 0, createRng(5));
    const noisy = generate(id, 600, 1, createRng(5));
    expect(meanSpread(noisy.x, noisy.y, k)).toBeGreaterThan(meanSpread(calm.x, calm.y, k) * 1.05);
  });

  it('circles at noise 0 lie exactly on radii 1 (class 0) and 0.5 (class 1)', () => {
    const { x, y } = generate('circles', 50, 0, createRng(9));
    for (let i = 0; i < 50; i++) {
      const r = Math.hypot(x[2 * i]!, x[2 * i + 1]!);
      expect(r).toBeCloseTo(y[i] === 0 ? 1 : 0.5, 5);
    }
  });

  it('xor at noise 0 puts class 0 where x·y > 0 and class 1 where x·y < 0', () => {
    const { x, y } = generate('xor', 80, 0, createRng(11));
    for (let i = 0; i < 80; i++) {
      const product = x[2 * i]! * x[2 * i + 1]!;
      expect(y[i] === 0 ? product > 0 : product < 0).toBe(true);
    }
  });
});

describe('makeSyntheticDataset', () => {
  it('is reproducible: same seed gives identical arrays', () => {
    const a = makeSyntheticDataset(spec('spiral'), 42);
    const b = makeSyntheticDataset(spec('spiral'), 42);
    expect(b.train.x).toEqual(a.train.x);
    expect(b.train.y).toEqual(a.train.y);
    expect(b.test.x).toEqual(a.test.x);
    expect(b.test.y).toEqual(a.test.y);
  });

  it('changes with the seed', () => {
    const a = makeSyntheticDataset(spec('moons'), 1);
    const b = makeSyntheticDataset(spec('moons'), 2);
    expect(b.train.x).not.toEqual(a.train.x);
    expect(b.test.x).not.toEqual(a.test.x);
  });

  it('draws train and test from different streams', () => {
    const d = makeSyntheticDataset(spec('gaussians', { trainSize: 50, testSize: 50 }), 7);
    expect(d.test.x).not.toEqual(d.train.x);
    expect(testSeedOf(7)).not.toBe(7);
  });

  it('keeps the test set when the train size changes, and the train set when test size does', () => {
    const a = makeSyntheticDataset(spec('circles', { trainSize: 100, testSize: 40 }), 3);
    const b = makeSyntheticDataset(spec('circles', { trainSize: 500, testSize: 40 }), 3);
    const c = makeSyntheticDataset(spec('circles', { trainSize: 100, testSize: 200 }), 3);
    expect(b.test.x).toEqual(a.test.x);
    expect(b.test.y).toEqual(a.test.y);
    expect(c.train.x).toEqual(a.train.x);
    expect(c.train.y).toEqual(a.train.y);
  });

  it.each(SYNTHETIC_DATASETS)('%s: shape, class count and names match the schema', (id) => {
    const d = makeSyntheticDataset(spec(id), 0);
    expect(d.id).toBe(id);
    expect(d.inputShape).toEqual([2]);
    expect(d.numClasses).toBe(numClassesOf(id));
    expect(d.classNames).toEqual(Array.from({ length: d.numClasses }, (_, c) => `class ${c}`));
    expect(d.train.count + d.validation.count).toBe(301);
    expect(d.validation.count).toBe(30);
    expect(d.test.count).toBe(97);
    expect(Math.max(...d.train.y)).toBe(d.numClasses - 1);
  });

  it('refuses image datasets', () => {
    expect(() => makeSyntheticDataset(spec('mnist'), 0)).toThrow(/image dataset/);
    expect(isSyntheticId('mnist')).toBe(false);
    expect(isSyntheticId('xor')).toBe(true);
  });
});
