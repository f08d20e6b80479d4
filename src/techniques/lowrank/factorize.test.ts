import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { createRng, gaussian } from '../../engine/rng';
import { svd } from './svd';
import {
  breakEvenRank,
  convKernelToMatrix,
  denseParamCount,
  factorizeConvKernel,
  factorizeMatrix,
  lowRankParamCount,
  rankForEnergy,
  relativeTruncationError,
  resolveRank,
  spectrum,
  truncateSvd,
} from './factorize';
import type { KernelShape } from './factorize';

function randomMatrix(rows: number, cols: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: rows * cols }, () => gaussian(rng));
}

function matMul(a: ArrayLike<number>, b: ArrayLike<number>, m: number, k: number, n: number) {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let t = 0; t < k; t++) {
      const x = a[i * k + t]!;
      for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + x * b[t * n + j]!;
    }
  }
  return out;
}

/** m×n matrix with prescribed singular values: U·diag(σ)·Vᵀ, U and V from SVDs of random ones. */
function matrixWithSingularValues(m: number, n: number, sigma: number[]): Float64Array {
  const u = svd(randomMatrix(m, sigma.length, 1), m, sigma.length).u;
  const v = svd(randomMatrix(n, sigma.length, 2), n, sigma.length).u;
  const k = sigma.length;
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let acc = 0;
      for (let t = 0; t < k; t++) acc += u[i * k + t]! * sigma[t]! * v[j * k + t]!;
      out[i * n + j] = acc;
    }
  }
  return out;
}

function maxAbsDiff(x: ArrayLike<number>, y: ArrayLike<number>): number {
  expect(x.length).toBe(y.length);
  let worst = 0;
  for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - y[i]!));
  return worst;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('spectrum and rank rules', () => {
  it('computes cumulative energy by hand: σ = [4, 3, 2, 1], Σσ² = 30', () => {
    const sp = spectrum([4, 3, 2, 1]);
    expect(sp.singularValues).toEqual([4, 3, 2, 1]);
    const expected = [16 / 30, 25 / 30, 29 / 30, 1];
    sp.cumulativeEnergy.forEach((e, i) => expect(e).toBeCloseTo(expected[i]!, 12));
  });

  it('energy rule picks the right rank on a matrix with known singular values', () => {
    const sigma = [4, 3, 2, 1, 0.5]; // σ² = 16, 9, 4, 1, 0.25; total 30.25
    const w = matrixWithSingularValues(12, 9, sigma);
    const s = svd(w, 12, 9).s;
    sigma.forEach((x, i) => expect(s[i]).toBeCloseTo(x, 10));
    for (let i = 5; i < 9; i++) expect(s[i]!).toBeLessThan(1e-10);
    const cases: [number, number][] = [
      [0.5, 1], // 16/30.25 = 0.529
      [0.53, 2],
      [0.8, 2], // 25/30.25 = 0.826
      [0.83, 3],
      [0.95, 3], // 29/30.25 = 0.959
      [0.99, 4], // 30/30.25 = 0.992
      [0.995, 5],
      [1, 5],
      [25 / 30.25, 2], // exactly the rank-2 share
    ];
    for (const [energy, rank] of cases) expect(rankForEnergy(s, energy)).toBe(rank);
    const f = factorizeMatrix(w, 12, 9, { energy: 0.9 });
    expect(f.rank).toBe(3);
    expect(f.a.length).toBe(12 * 3);
    expect(f.b.length).toBe(3 * 9);
  });

  it('rejects energy outside (0, 1] and ranks outside 1..min(m, n) with RangeError', () => {
    const s = [3, 2, 1];
    for (const energy of [0, -0.1, 1.01, NaN, Infinity]) {
      expect(() => rankForEnergy(s, energy)).toThrow(RangeError);
    }
    expect(() => rankForEnergy(s, 0)).toThrow(/\(0, 1\]/);
    for (const rank of [0, 4, 1.5, -1]) expect(() => resolveRank(s, { rank })).toThrow(RangeError);
    expect(() => factorizeMatrix(randomMatrix(5, 3, 1), 5, 3, { rank: 0 })).toThrow(
      /from 1 to min\(rows, cols\) = 3, got 0/,
    );
    expect(() => factorizeMatrix(randomMatrix(5, 3, 1), 5, 3, { rank: 4 })).toThrow(RangeError);
    expect(() => factorizeMatrix(randomMatrix(5, 3, 1), 5, 3, { energy: 0 })).toThrow(RangeError);
  });

  it('counts parameters: (m + n)·r against m·n, and the break-even rank', () => {
    expect(denseParamCount(784, 128)).toBe(100_352);
    expect(lowRankParamCount(784, 128, 16)).toBe(14_592);
    expect(breakEvenRank(784, 128)).toBe(110);
    expect(lowRankParamCount(784, 128, 110)).toBeLessThan(denseParamCount(784, 128));
    expect(lowRankParamCount(784, 128, 111)).toBeGreaterThanOrEqual(denseParamCount(784, 128));
    expect(breakEvenRank(4, 4)).toBe(1); // 8·1 < 16, 8·2 = 16 saves nothing
  });
});

describe('factorizeMatrix', () => {
  it('full rank reproduces a dense layer: x·W + b ≈ (x·A)·B + b to 1e-4, both splits', () => {
    const [m, n] = [20, 7];
    const w = randomMatrix(m, n, 3);
    const x = randomMatrix(5, m, 4);
    const bias = tf.tensor1d(randomMatrix(1, n, 5));
    const before = tf.memory().numTensors;
    for (const split of ['sqrt', 'left'] as const) {
      const f = factorizeMatrix(w, m, n, { rank: n }, split);
      const [dense, factored] = tf.tidy(() => {
        const xt = tf.tensor2d(x, [5, m]);
        const y = xt.matMul(tf.tensor2d(w, [m, n])).add(bias);
        const a = tf.tensor2d(f.a, [m, f.rank]);
        const yf = xt
          .matMul(a)
          .matMul(tf.tensor2d(f.b, [f.rank, n]))
          .add(bias);
        return [y.dataSync(), yf.dataSync()];
      });
      expect(maxAbsDiff(dense!, factored!)).toBeLessThan(1e-4);
    }
    expect(tf.memory().numTensors).toBe(before);
    bias.dispose();
  });

  it('sqrt split balances the factors; left split puts S into A', () => {
    const w = randomMatrix(9, 6, 6);
    const d = svd(w, 9, 6);
    const sq = truncateSvd(d, 2, 'sqrt');
    const left = truncateSvd(d, 2, 'left');
    // Column t of A has norm σ_t^p and row t of B has norm σ_t^(1−p) (U, V orthonormal).
    const colNorm = (a: Float32Array, r: number, t: number) =>
      Math.hypot(...Array.from({ length: a.length / r }, (_, i) => a[i * r + t]!));
    const rowNorm = (b: Float32Array, c: number, t: number) =>
      Math.hypot(...b.slice(t * c, t * c + c));
    expect(colNorm(sq.a, 2, 0)).toBeCloseTo(Math.sqrt(d.s[0]!), 5);
    expect(rowNorm(sq.b, 6, 0)).toBeCloseTo(Math.sqrt(d.s[0]!), 5);
    expect(colNorm(left.a, 2, 1)).toBeCloseTo(d.s[1]!, 5);
    expect(rowNorm(left.b, 6, 1)).toBeCloseTo(1, 5);
    expect(maxAbsDiff(matMul(sq.a, sq.b, 9, 2, 6), matMul(left.a, left.b, 9, 2, 6))).toBeLessThan(
      1e-5,
    );
  });

  it('truncated error matches Eckart–Young √(Σ_{i>r} σ² / Σ σ²)', () => {
    const [m, n] = [30, 16];
    const w = randomMatrix(m, n, 7);
    const s = svd(w, m, n).s;
    for (const r of [1, 4, 10]) {
      const f = factorizeMatrix(w, m, n, { rank: r });
      const approx = matMul(f.a, f.b, m, r, n);
      let num = 0;
      let den = 0;
      for (let i = 0; i < w.length; i++) {
        num += (w[i]! - approx[i]!) ** 2;
        den += w[i]! ** 2;
      }
      expect(Math.sqrt(num / den)).toBeCloseTo(relativeTruncationError(s, r), 5);
    }
    expect(relativeTruncationError(s, n)).toBe(0);
  });
});

describe('conv kernels', () => {
  it('reshapes HWIO to [H·W·I, O] without moving data, and checks the length', () => {
    const k = Float32Array.from({ length: 3 * 3 * 2 * 4 }, (_, i) => i);
    const m = convKernelToMatrix(k, [3, 3, 2, 4]);
    expect([m.rows, m.cols]).toEqual([18, 4]);
    // element (h=1, w=2, i=1, o=3) sits at row (1·3 + 2)·2 + 1 = 11, column 3
    expect(m.data[11 * 4 + 3]).toBe(((1 * 3 + 2) * 2 + 1) * 4 + 3);
    expect(() => convKernelToMatrix(k, [3, 3, 2, 5])).toThrow(RangeError);
  });

  it('conv(H×W×I×r) then conv(1×1×r×O) equals the conv with kernel A·B', () => {
    const shape: KernelShape = [3, 3, 2, 5];
    const kernel = randomMatrix(18, 5, 8);
    const x = randomMatrix(1, 2 * 6 * 6 * 2, 9);
    const before = tf.memory().numTensors;
    for (const rank of [5, 2]) {
      const f = factorizeConvKernel(kernel, shape, { rank });
      expect(f.spatial.shape).toEqual([3, 3, 2, rank]);
      expect(f.pointwise.shape).toEqual([1, 1, rank, 5]);
      // Full rank must reproduce the original kernel; any rank must match the kernel A·B.
      const target =
        rank === 5
          ? kernel
          : Float32Array.from(matMul(f.spatial.data, f.pointwise.data, 18, rank, 5));
      const [ref, out] = tf.tidy(() => {
        const xt = tf.tensor4d(x, [2, 6, 6, 2]);
        const y = tf.conv2d(xt, tf.tensor4d(target, shape), 1, 'valid');
        const h = tf.conv2d(xt, tf.tensor4d(f.spatial.data, f.spatial.shape), 1, 'valid');
        const yf = tf.conv2d(h, tf.tensor4d(f.pointwise.data, f.pointwise.shape), 1, 'valid');
        expect(yf.shape).toEqual([2, 4, 4, 5]);
        return [y.dataSync(), yf.dataSync()];
      });
      expect(maxAbsDiff(ref!, out!)).toBeLessThan(1e-4);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
