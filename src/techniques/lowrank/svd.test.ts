import { describe, it, expect } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { svd } from './svd';
import type { Svd } from './svd';

function randomMatrix(rows: number, cols: number, seed: number): Float64Array {
  const rng = createRng(seed);
  return Float64Array.from({ length: rows * cols }, () => gaussian(rng));
}

/** rows×cols matrix of rank r: (rows×r)·(r×cols) of Gaussians. */
function lowRankMatrix(rows: number, cols: number, r: number, seed: number): Float64Array {
  const left = randomMatrix(rows, r, seed);
  const right = randomMatrix(r, cols, seed + 1);
  const out = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let t = 0; t < r; t++) acc += left[i * r + t]! * right[t * cols + j]!;
      out[i * cols + j] = acc;
    }
  }
  return out;
}

function relativeReconstructionError(a: ArrayLike<number>, d: Svd): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < d.rows; i++) {
    for (let j = 0; j < d.cols; j++) {
      let acc = 0;
      for (let t = 0; t < d.k; t++) acc += d.u[i * d.k + t]! * d.s[t]! * d.v[j * d.k + t]!;
      const ref = a[i * d.cols + j]!;
      num += (acc - ref) ** 2;
      den += ref * ref;
    }
  }
  return den === 0 ? Math.sqrt(num) : Math.sqrt(num / den);
}

/** max |XᵀX − I| for a row-major rows×k matrix X. */
function orthonormalityError(x: Float64Array, rows: number, k: number): number {
  let worst = 0;
  for (let p = 0; p < k; p++) {
    for (let q = 0; q < k; q++) {
      let acc = 0;
      for (let i = 0; i < rows; i++) acc += x[i * k + p]! * x[i * k + q]!;
      worst = Math.max(worst, Math.abs(acc - (p === q ? 1 : 0)));
    }
  }
  return worst;
}

function expectValidSvd(a: ArrayLike<number>, rows: number, cols: number, d: Svd) {
  const k = Math.min(rows, cols);
  expect(d.k).toBe(k);
  expect(d.u.length).toBe(rows * k);
  expect(d.v.length).toBe(cols * k);
  expect(d.s.length).toBe(k);
  expect(relativeReconstructionError(a, d)).toBeLessThanOrEqual(1e-4);
  expect(relativeReconstructionError(a, d)).toBeLessThanOrEqual(1e-10); // float64 does far better
  expect(orthonormalityError(d.u, rows, k)).toBeLessThan(1e-10);
  expect(orthonormalityError(d.v, cols, k)).toBeLessThan(1e-10);
  for (let t = 0; t < k; t++) {
    expect(d.s[t]!).toBeGreaterThanOrEqual(0);
    if (t > 0) expect(d.s[t]!).toBeLessThanOrEqual(d.s[t - 1]!);
  }
}

describe('svd', () => {
  const shapes: [string, number, number][] = [
    ['tall', 37, 13],
    ['wide', 13, 37],
    ['square', 24, 24],
    ['single row', 1, 7],
    ['single column', 7, 1],
    ['1×1', 1, 1],
  ];
  for (const [name, rows, cols] of shapes) {
    it(`factors a random ${name} ${rows}×${cols} matrix`, () => {
      const a = randomMatrix(rows, cols, rows * 100 + cols);
      expectValidSvd(a, rows, cols, svd(a, rows, cols));
    });
  }

  it('matches hand-computed singular values of [[3, 0], [4, 5]]: √45 and √5', () => {
    const d = svd(new Float64Array([3, 0, 4, 5]), 2, 2);
    expect(d.s[0]).toBeCloseTo(Math.sqrt(45), 12);
    expect(d.s[1]).toBeCloseTo(Math.sqrt(5), 12);
  });

  it('returns |diagonal| sorted for a scrambled diagonal matrix', () => {
    // Rows of diag(−2, 5, 0.5, 3) permuted: singular values are 5, 3, 2, 0.5.
    const a = new Float64Array(16);
    const entries: [number, number, number][] = [
      [2, 0, -2],
      [0, 1, 5],
      [3, 2, 0.5],
      [1, 3, 3],
    ];
    for (const [i, j, x] of entries) a[i * 4 + j] = x;
    const d = svd(a, 4, 4);
    expect(Array.from(d.s).map((x) => +x.toFixed(12))).toEqual([5, 3, 2, 0.5]);
    expectValidSvd(a, 4, 4, d);
  });

  it('handles rank-deficient tall and wide matrices with orthonormal U and V', () => {
    for (const [rows, cols] of [
      [30, 10],
      [10, 30],
      [12, 12],
    ] as const) {
      const a = lowRankMatrix(rows, cols, 3, rows + cols);
      const d = svd(a, rows, cols);
      expectValidSvd(a, rows, cols, d);
      expect(d.s[2]!).toBeGreaterThan(1e-3);
      for (let t = 3; t < d.k; t++) expect(d.s[t]!).toBeLessThan(1e-10 * d.s[0]!);
    }
  });

  it('handles the zero matrix: all singular values 0, U and V still orthonormal', () => {
    const a = new Float64Array(6 * 4);
    const d = svd(a, 6, 4);
    expect(Array.from(d.s)).toEqual([0, 0, 0, 0]);
    expectValidSvd(a, 6, 4, d);
  });

  it('accepts Float32Array weights', () => {
    const a = Float32Array.from(randomMatrix(20, 8, 5));
    expectValidSvd(a, 20, 8, svd(a, 20, 8));
  });

  it('rejects a wrong length, bad shapes and non-finite values with RangeError', () => {
    expect(() => svd(new Float64Array(5), 2, 3)).toThrow(RangeError);
    expect(() => svd(new Float64Array(0), 0, 3)).toThrow(/positive integers/);
    expect(() => svd(new Float64Array([1, NaN]), 1, 2)).toThrow(/not finite/);
  });

  it('factors an 800×128 dense-layer weight (timing printed, not asserted)', () => {
    const a = Float32Array.from(randomMatrix(800, 128, 42), (x) => x * 0.05);
    const t0 = performance.now();
    const d = svd(a, 800, 128);
    const ms = performance.now() - t0;
    console.log(`svd 800×128: ${ms.toFixed(0)} ms`);
    expectValidSvd(a, 800, 128, d);
  });
});
