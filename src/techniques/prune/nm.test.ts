import { describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { nmMask, satisfiesNM } from './nm';

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => gaussian(rng));
}

describe('nmMask', () => {
  it('groups along the input dimension of a dense kernel [in, out], by hand', () => {
    // K = [[1, 9], [2, 8], [3, 7], [4, 6]]: unit 0 keeps rows 2, 3; unit 1 keeps rows 0, 1.
    const k = new Float32Array([1, 9, 2, 8, 3, 7, 4, 6]);
    expect(Array.from(nmMask(k, [4, 2]))).toEqual([0, 1, 0, 1, 1, 0, 1, 0]);
    // Signs do not matter; equal |w| keep the higher index.
    const t = new Float32Array([0.1, -0.9, 0.5, 0.2, 3, -3, 1, 0, 1, 1, 1, 1]);
    expect(Array.from(nmMask(t, [12, 1]))).toEqual([0, 1, 1, 0, 1, 1, 0, 0, 0, 0, 1, 1]);
  });

  it('holds 2:4 in every group of a conv HWIO kernel, keeping the two largest', () => {
    const shape = [3, 3, 4, 5]; // 36 inputs per filter → 9 groups of 4
    const w = randomArray(180, 1);
    const mask = nmMask(w, shape);
    expect(satisfiesNM(mask, shape, 2, 4)).toBe(true);
    for (let o = 0; o < 5; o++) {
      for (let g = 0; g < 9; g++) {
        const idx = [0, 1, 2, 3].map((j) => (g * 4 + j) * 5 + o);
        const kept = idx.filter((i) => mask[i] === 1);
        const dropped = idx.filter((i) => mask[i] === 0);
        expect(kept.length).toBe(2);
        const minKept = Math.min(...kept.map((i) => Math.abs(w[i]!)));
        dropped.forEach((i) => expect(Math.abs(w[i]!)).toBeLessThanOrEqual(minKept));
      }
    }
    expect(mask.reduce((a, b) => a + b, 0)).toBe(90); // sparsity exactly 1 − 2/4
  });

  it('supports other N:M and a shorter last group', () => {
    const w = randomArray(16 * 3, 2);
    const m14 = nmMask(w, [16, 3], 1, 4);
    expect(m14.reduce((a, b) => a + b, 0)).toBe(12);
    expect(satisfiesNM(m14, [16, 3], 1, 4)).toBe(true);
    expect(satisfiesNM(nmMask(w, [16, 3], 3, 8), [16, 3], 3, 8)).toBe(true);
    // 6 inputs, 2:4: a full group keeps 2, the last group of 2 keeps both.
    const short = nmMask(new Float32Array([1, 2, 3, 4, 5, 6]), [6, 1]);
    expect(Array.from(short)).toEqual([0, 0, 1, 1, 1, 1]);
    expect(Array.from(nmMask(new Float32Array([1, 2, 3]), [3, 1], 1, 2))).toEqual([0, 1, 1]);
    expect(Array.from(nmMask(w, [16, 3], 4, 4))).toEqual(new Array<number>(48).fill(1));
  });

  it('rejects N > M, N < 1, fractions and shape mismatches', () => {
    const w = new Float32Array(8);
    expect(() => nmMask(w, [4, 2], 5, 4)).toThrow(/1 ≤ N ≤ M; got 5:4/);
    expect(() => nmMask(w, [4, 2], 0, 4)).toThrow(RangeError);
    expect(() => nmMask(w, [4, 2], 1.5, 4)).toThrow(/whole numbers/);
    expect(() => nmMask(w, [3, 2])).toThrow(/holds 6 values/);
    expect(() => nmMask(w, [8])).toThrow(/at least 2 dims/);
  });
});

describe('satisfiesNM', () => {
  it('spots a group with too many non-zeros', () => {
    // Unit 0 rows 0..3 = (1, 1, 1, 0): three non-zeros in one group of 4.
    const bad = new Float32Array([1, 0, 1, 1, 1, 1, 0, 0]);
    expect(satisfiesNM(bad, [4, 2])).toBe(false);
    expect(satisfiesNM(bad, [4, 2], 3, 4)).toBe(true);
    // Same values read the other way round pass: groups run along `in`, not memory order.
    expect(satisfiesNM(new Float32Array([1, 1, 1, 1, 0, 0, 0, 0]), [4, 2])).toBe(true);
    expect(satisfiesNM(new Float32Array(8), [4, 2])).toBe(true);
  });
});
