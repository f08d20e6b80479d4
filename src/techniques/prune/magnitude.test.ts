import { describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import {
  applyMask,
  globalMagnitudeMasks,
  magnitudeMask,
  prunedCount,
  sparsityOf,
} from './magnitude';

function randomArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * gaussian(rng));
}

function zeros(mask: Float32Array): number {
  return mask.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
}

describe('magnitudeMask', () => {
  it('prunes the smallest |w| by hand', () => {
    const w = new Float32Array([0.5, -0.1, 0.3, -0.3, 0.2, 0, 0.9, -0.05]);
    // k = 4: |0| (5), |−0.05| (7), |−0.1| (1), |0.2| (4).
    expect(Array.from(magnitudeMask(w, 0.5))).toEqual([1, 0, 1, 1, 0, 0, 1, 0]);
    expect(Array.from(magnitudeMask(w, 0))).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
  });

  it('breaks ties by index: the lower position is pruned first', () => {
    expect(Array.from(magnitudeMask(new Float32Array([1, 1, 1, 1, 1]), 0.4))).toEqual([
      0, 0, 1, 1, 1,
    ]);
    // −1 and 1 tie on |w|; 0.25 is below them all.
    expect(Array.from(magnitudeMask(new Float32Array([-1, 1, 0.25, -1, 1]), 0.6))).toEqual([
      0, 0, 0, 1, 1,
    ]);
  });

  it('hits exactly round(s·n) zeros, with or without heavy ties', () => {
    const smooth = randomArray(1001, 1);
    const tied = randomArray(1001, 2).map((v) => Math.round(v * 2) / 2); // ~9 distinct values
    for (const w of [smooth, tied]) {
      for (const s of [0, 0.1, 0.333, 0.5, 0.75, 0.9, 0.999]) {
        const mask = magnitudeMask(w, s);
        expect(zeros(mask)).toBe(Math.round(s * 1001));
        let maxPruned = -1;
        let minKept = Infinity;
        mask.forEach((m, i) => {
          const a = Math.abs(w[i]!);
          if (m === 0) maxPruned = Math.max(maxPruned, a);
          else minKept = Math.min(minKept, a);
        });
        expect(maxPruned).toBeLessThanOrEqual(minKept);
      }
    }
  });

  it('rejects sparsities outside [0, 1) with a readable RangeError', () => {
    const w = new Float32Array(4);
    for (const s of [-0.1, 1, 1.5, Number.NaN]) {
      expect(() => magnitudeMask(w, s)).toThrow(RangeError);
    }
    expect(() => magnitudeMask(w, 1)).toThrow(/from 0 up to \(but not including\) 1, got 1/);
    expect(() => magnitudeMask(new Float32Array([1, Number.NaN]), 0.5)).toThrow(/non-finite/);
    expect(prunedCount(10, 0.25)).toBe(3); // round(2.5) = 3
  });
});

describe('globalMagnitudeMasks', () => {
  it('uses one threshold across layers, by hand', () => {
    const a = new Float32Array([0.1, 2, 0.3, 4]);
    const b = new Float32Array([0.05, 5, 0.2, 6, 0.25, 1]);
    // k = 5 of 10: 0.05, 0.1, 0.2, 0.25, 0.3 → threshold 0.3.
    const { masks, threshold } = globalMagnitudeMasks([a, b], 0.5);
    expect(Array.from(masks[0]!)).toEqual([0, 1, 0, 1]);
    expect(Array.from(masks[1]!)).toEqual([0, 1, 0, 1, 0, 1]);
    expect(threshold).toBeCloseTo(0.3, 6);
    expect(globalMagnitudeMasks([a, b], 0).threshold).toBe(-1);
  });

  it('prunes exactly round(s·Σn) in total; small-scale layers lose more', () => {
    const layers = [randomArray(300, 3, 0.1), randomArray(500, 4, 1), randomArray(201, 5, 3)];
    for (const s of [0.2, 0.5, 0.8]) {
      const { masks } = globalMagnitudeMasks(layers, s);
      expect(masks.reduce((n, m) => n + zeros(m), 0)).toBe(Math.round(s * 1001));
      const perLayer = masks.map(sparsityOf);
      expect(perLayer[0]!).toBeGreaterThan(perLayer[1]!);
      expect(perLayer[1]!).toBeGreaterThan(perLayer[2]!);
    }
  });

  it('breaks ties across layers by (layer, index)', () => {
    const { masks } = globalMagnitudeMasks(
      [new Float32Array([1, 1]), new Float32Array([1, 1, 1])],
      0.6,
    );
    expect(masks.map((m) => Array.from(m))).toEqual([
      [0, 0],
      [0, 1, 1],
    ]);
  });
});

describe('applyMask / sparsityOf', () => {
  it('multiplies element-wise and counts zeros', () => {
    const w = applyMask(new Float32Array([2, -3, 4, 5]), new Float32Array([1, 0, 0, 1]));
    expect(Array.from(w, (v) => v + 0)).toEqual([2, 0, 0, 5]);
    expect(sparsityOf(w)).toBe(0.5);
    expect(sparsityOf(new Float32Array(0))).toBe(0);
    expect(() => applyMask(new Float32Array(2), new Float32Array(3))).toThrow(/3 entries/);
  });
});
