import { describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { TooFewWeightsError, assign, kmeans1d, kmeansPlusPlusInit } from './kmeans';

function gaussianWeights(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => 0.1 * gaussian(rng));
}

describe('kmeans1d', () => {
  it('finds well-separated clusters exactly', () => {
    const values = [0.9, 1, 1.1, -2.1, -2, -1.9, 5, 5.2];
    const { centroids, assignment } = kmeans1d(values, 3, createRng(1));
    expect(Array.from(centroids)).toEqual([-2, 1, 5.1].map(Math.fround));
    expect(Array.from(assignment)).toEqual([1, 1, 1, 0, 0, 0, 2, 2]);
  });

  it('gives each value its nearest centroid, with ascending centroids', () => {
    const values = gaussianWeights(5000, 3);
    const { centroids, assignment, squaredError } = kmeans1d(values, 16, createRng(7));
    for (let j = 1; j < centroids.length; j++)
      expect(centroids[j]).toBeGreaterThan(centroids[j - 1]!);
    let error = 0;
    values.forEach((v, i) => {
      const own = Math.abs(v - centroids[assignment[i]!]!);
      for (const c of centroids) expect(own).toBeLessThanOrEqual(Math.abs(v - c) + 1e-7);
      error += (v - centroids[assignment[i]!]!) ** 2;
    });
    expect(squaredError).toBeCloseTo(error, 9);
  });

  it('is a fixed point of Lloyd: every centroid is the mean of its cluster', () => {
    const values = gaussianWeights(3000, 11);
    const { centroids, assignment } = kmeans1d(values, 8, createRng(2));
    const sums = new Float64Array(8);
    const counts = new Float64Array(8);
    values.forEach((v, i) => {
      sums[assignment[i]!]! += v;
      counts[assignment[i]!]! += 1;
    });
    for (let j = 0; j < 8; j++) {
      if (counts[j]! > 0) expect(centroids[j]).toBeCloseTo(sums[j]! / counts[j]!, 6);
    }
  });

  it('is seeded: same seed, same codebook; the error falls as k grows', () => {
    const values = gaussianWeights(2000, 5);
    const a = kmeans1d(values, 16, createRng(9));
    const b = kmeans1d(values, 16, createRng(9));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    const errors = [2, 4, 16, 64].map((k) => kmeans1d(values, k, createRng(1)).squaredError);
    for (let i = 1; i < errors.length; i++) expect(errors[i]).toBeLessThan(errors[i - 1]!);
  });

  it('refuses fewer values than centroids with a typed error', () => {
    expect(() => kmeans1d([1, 2, 3], 4, createRng(1))).toThrow(TooFewWeightsError);
    expect(() => kmeans1d([1, 2, 3], 0, createRng(1))).toThrow(RangeError);
  });

  it('copes with repeated values (fewer distinct values than centroids)', () => {
    const { centroids, assignment } = kmeans1d([0.5, 0.5, 0.5, -1, -1], 4, createRng(3));
    expect(centroids.length).toBe(4);
    expect(
      assignment.every((a, i) => centroids[a] === Math.fround([0.5, 0.5, 0.5, -1, -1][i]!)),
    ).toBe(true);
  });
});

describe('kmeansPlusPlusInit', () => {
  it('picks k distinct input values when they exist', () => {
    const values = Float64Array.from([1, 2, 3, 10, 11, 12, 30]);
    const picked = kmeansPlusPlusInit(values, 3, createRng(4));
    expect(new Set(picked).size).toBe(3);
    for (const c of picked) expect(Array.from(values)).toContain(c);
  });
});

describe('assign', () => {
  it('sends a value on a midpoint to the lower centroid', () => {
    const { assignment } = assign([0.5, 0.5001, -1], Float32Array.from([0, 1]));
    expect(Array.from(assignment)).toEqual([0, 1, 0]);
  });
});
