import { describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import {
  computeQuantParams,
  dequantize,
  fakeQuantizeArray,
  quantParamsFromRange,
  quantRange,
  quantize,
  rangeOf,
  roundHalfEven,
} from './quantizer';

function randomValues(n: number, seed: number, sd = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => sd * gaussian(rng));
}

describe('quantRange', () => {
  it('gives the textbook integer grids', () => {
    expect(quantRange(8, 'symmetric')).toEqual({ qmin: -127, qmax: 127 });
    expect(quantRange(8, 'symmetric', false)).toEqual({ qmin: -128, qmax: 127 });
    expect(quantRange(8, 'asymmetric')).toEqual({ qmin: 0, qmax: 255 });
    expect(quantRange(2, 'symmetric')).toEqual({ qmin: -1, qmax: 1 });
    expect(quantRange(4, 'asymmetric')).toEqual({ qmin: 0, qmax: 15 });
    expect(quantRange(16, 'symmetric', false)).toEqual({ qmin: -32768, qmax: 32767 });
  });

  it('rejects bit widths outside 2..16 with a RangeError a student can read', () => {
    for (const bits of [1, 0, 17, 3.5, NaN]) {
      expect(() => quantRange(bits, 'symmetric')).toThrow(RangeError);
    }
    expect(() => quantRange(1, 'asymmetric')).toThrow(/from 2 to 16, but got 1/);
    expect(() =>
      computeQuantParams(new Float32Array([1]), [1], { bits: 32, scheme: 'symmetric' }),
    ).toThrow(RangeError);
  });
});

describe('roundHalfEven', () => {
  it('sends ties to the even neighbour like tf.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, 2.6, -2.6].map(roundHalfEven)).toEqual([
      0, 2, 2, 0, -2, 2, 3, -3,
    ]);
  });
});

describe('params from ranges', () => {
  it('symmetric: scale = max|x| / qmax and zero point 0', () => {
    const p = quantParamsFromRange([-0.5], [2.54], { bits: 8, scheme: 'symmetric' });
    expect(p.scale[0]).toBeCloseTo(2.54 / 127, 7);
    expect(p.zeroPoint[0]).toBe(0);
    expect([p.qmin, p.qmax, p.bits, p.axis]).toEqual([-127, 127, 8, null]);
  });

  it('asymmetric: s = (max − min)/255, z = round(−min/s), range widened to hold 0', () => {
    const p = quantParamsFromRange([-1], [3], { bits: 8, scheme: 'asymmetric' });
    expect(p.scale[0]).toBeCloseTo(4 / 255, 7);
    expect(p.zeroPoint[0]).toBe(Math.round(255 / 4)); // 63.75 → 64
    const positive = quantParamsFromRange([2], [4], { bits: 4, scheme: 'asymmetric' });
    expect(positive.scale[0]).toBeCloseTo(4 / 15, 7); // [2, 4] widened to [0, 4]
    expect(positive.zeroPoint[0]).toBe(0);
    const negative = quantParamsFromRange([-3], [-1], { bits: 4, scheme: 'asymmetric' });
    expect(negative.zeroPoint[0]).toBe(15); // real 0 is the top of the grid
  });

  it('zero points are integers inside the grid for many random ranges', () => {
    const rng = createRng(3);
    for (let t = 0; t < 500; t++) {
      const a = (rng() - 0.5) * 10;
      const b = a + rng() * 5;
      const bits = 2 + Math.floor(rng() * 7);
      const p = quantParamsFromRange([a], [b], { bits, scheme: 'asymmetric' });
      const z = p.zeroPoint[0]!;
      expect(Number.isInteger(z)).toBe(true);
      expect(z).toBeGreaterThanOrEqual(p.qmin);
      expect(z).toBeLessThanOrEqual(p.qmax);
      // real 0 is exactly representable: (z − z) · s = 0
      expect(dequantize(quantize(new Float32Array([0]), p), p)[0]).toBe(0);
    }
  });

  it('an all-zero tensor gets scale 1 and quantizes to zeros', () => {
    const p = computeQuantParams(new Float32Array(4), [4], { bits: 8, scheme: 'symmetric' });
    expect(p.scale[0]).toBe(1);
    expect(Array.from(fakeQuantizeArray(new Float32Array(4), p))).toEqual([0, 0, 0, 0]);
  });

  it('rejects non-finite values and mismatched shapes', () => {
    const cfg = { bits: 8, scheme: 'symmetric' } as const;
    expect(() => computeQuantParams(new Float32Array([1, NaN]), [2], cfg)).toThrow(/non-finite/);
    expect(() => computeQuantParams(new Float32Array([1, 2, 3]), [2, 2], cfg)).toThrow(RangeError);
    expect(() => computeQuantParams(new Float32Array([1, 2]), [2], { ...cfg, axis: 3 })).toThrow(
      /axis 3/,
    );
  });
});

describe('per-channel params', () => {
  it('one scale per output channel of an HWIO conv kernel (last axis)', () => {
    const shape = [3, 3, 2, 5];
    const w = randomValues(3 * 3 * 2 * 5, 1);
    const p = computeQuantParams(w, shape, { bits: 8, scheme: 'symmetric', axis: 3 });
    expect(p.scale.length).toBe(5);
    expect(p.zeroPoint.length).toBe(5);
    expect(p.axis).toBe(3);
    const { min, max } = rangeOf(w, shape, 3);
    for (let c = 0; c < 5; c++) {
      expect(p.scale[c]).toBeCloseTo(Math.max(-min[c]!, max[c]!) / 127, 7);
    }
  });

  it('dense [in, out] kernel: channels are units; axis −1 normalises to 1', () => {
    const w = Float32Array.from([1.1, -10, 0.5, 2, -2, 4]); // [[1.1,-10],[0.5,2],[-2,4]]
    const p = computeQuantParams(w, [3, 2], { bits: 4, scheme: 'symmetric', axis: -1 });
    expect(p.axis).toBe(1);
    expect(p.scale[0]).toBeCloseTo(2 / 7, 6);
    expect(p.scale[1]).toBeCloseTo(10 / 7, 6);
    expect(Array.from(quantize(w, p, [3, 2]))).toEqual([4, -7, 2, 1, -7, 3]);
    // without a shape, channels are taken as the last axis: same codes
    expect(Array.from(quantize(w, p))).toEqual([4, -7, 2, 1, -7, 3]);
  });

  it('per-channel along a non-last axis uses the shape strides', () => {
    const w = Float32Array.from([1, 2, 3, 40, 50, 60]); // [2, 3], channels on axis 0
    const p = computeQuantParams(w, [2, 3], { bits: 8, scheme: 'symmetric', axis: 0 });
    expect(p.scale[0]).toBeCloseTo(3 / 127, 7);
    expect(p.scale[1]).toBeCloseTo(60 / 127, 7);
    expect(Array.from(quantize(w, p, [2, 3]))).toEqual([42, 85, 127, 85, 106, 127]);
  });
});

describe('round trip', () => {
  for (const scheme of ['symmetric', 'asymmetric'] as const) {
    for (const bits of [2, 3, 4, 5, 6, 7, 8, 16]) {
      it(`${scheme} ${bits}-bit: |x − x̂| ≤ s/2 inside the range`, () => {
        const x = randomValues(2000, bits, 0.7);
        const p = computeQuantParams(x, [2000], { bits, scheme });
        const xh = fakeQuantizeArray(x, p);
        const s = p.scale[0]!;
        let worst = 0;
        for (let i = 0; i < x.length; i++) worst = Math.max(worst, Math.abs(x[i]! - xh[i]!));
        expect(worst).toBeLessThanOrEqual(s / 2 + 1e-6 * s + 1e-7);
        const q = quantize(x, p);
        expect(q.every((v) => v >= p.qmin && v <= p.qmax)).toBe(true);
      });
    }
  }

  it('values beyond the range clamp to the end of the grid', () => {
    const p = quantParamsFromRange([-1], [1], { bits: 8, scheme: 'symmetric' });
    const x = Float32Array.from([5, -5, 1.2]);
    expect(Array.from(quantize(x, p))).toEqual([127, -127, 127]);
    const xh = dequantize(quantize(x, p), p);
    expect(xh[0]).toBeCloseTo(1, 6);
    expect(xh[1]).toBeCloseTo(-1, 6);
    const a = quantParamsFromRange([0], [2.55], { bits: 8, scheme: 'asymmetric' });
    expect(Array.from(quantize(Float32Array.from([-1, 9, 0.01]), a))).toEqual([0, 255, 1]);
  });

  it('hand example: 4-bit asymmetric on [−1, 2]', () => {
    const p = quantParamsFromRange([-1], [2], { bits: 4, scheme: 'asymmetric' });
    // s = 3/15 = 0.2, z = round(5) = 5
    expect(p.scale[0]).toBeCloseTo(0.2, 7);
    expect(p.zeroPoint[0]).toBe(5);
    const x = Float32Array.from([-1, -0.55, 0, 0.31, 2, 3]);
    expect(Array.from(quantize(x, p))).toEqual([0, 2, 5, 7, 15, 15]);
    const xh = dequantize(quantize(x, p), p);
    expect(Array.from(xh).map((v) => Math.round(v * 1000) / 1000)).toEqual([
      -1, -0.6, 0, 0.4, 2, 2,
    ]);
  });
});
