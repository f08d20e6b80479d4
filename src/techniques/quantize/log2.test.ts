import { describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { log2Dequantize, log2FakeQuantize, log2Params, log2Quantize } from './log2';

describe('power-of-two quantization', () => {
  it('window of 2^(bits−1) − 1 exponents ending at round(log2 max|x|), so 0 and ±2^k fit b bits', () => {
    const p = log2Params(Float32Array.from([0.1, -3.1, 0.5]), 3);
    expect(p.maxExponent).toBe(2); // log2 3.1 ≈ 1.63 → 2
    expect(p.minExponent).toBe(0); // 3 exponents: 0, 1, 2 → levels 0, ±1, ±2, ±4: 7 ≤ 2^3
    expect(() => log2Params(new Float32Array(1), 1)).toThrow(RangeError);
  });

  it('hand example: rounding in the log domain and clipping to the window', () => {
    const x = Float32Array.from([3.1, -0.3, 0, 0.01, 1.4, 1.5, -100]);
    const p = { bits: 4, maxExponent: 2, minExponent: -1 };
    const codes = log2Quantize(x, p);
    expect(Array.from(codes.sign)).toEqual([1, -1, 0, 1, 1, 1, -1]);
    // log2 0.3 ≈ −1.74 → −2 clips to −1; log2 1.4 ≈ 0.49 → 0; log2 1.5 ≈ 0.58 → 1; −100 → 2
    expect(Array.from(codes.exponent)).toEqual([2, -1, 0, -1, 0, 1, 2]);
    expect(Array.from(log2Dequantize(codes))).toEqual([4, -0.5, 0, 0.5, 1, 2, -4]);
  });

  it('outputs are signed powers of two (or zero) with exponents inside the window', () => {
    const rng = createRng(9);
    const x = Float32Array.from({ length: 1000 }, () => gaussian(rng));
    x[0] = 0;
    for (const bits of [2, 3, 4, 5, 6, 7, 8]) {
      const p = log2Params(x, bits);
      const codes = log2Quantize(x, p);
      const xh = log2FakeQuantize(x, bits);
      for (let i = 0; i < x.length; i++) {
        const v = xh[i]!;
        if (x[i] === 0) {
          expect(v).toBe(0);
          continue;
        }
        expect(Math.sign(v)).toBe(Math.sign(x[i]!));
        const k = Math.log2(Math.abs(v));
        expect(Number.isInteger(k)).toBe(true);
        expect(k).toBe(codes.exponent[i]);
        expect(k).toBeGreaterThanOrEqual(p.minExponent);
        expect(k).toBeLessThanOrEqual(p.maxExponent);
      }
      const exponents = p.maxExponent - p.minExponent + 1;
      expect(exponents).toBe(2 ** (bits - 1) - 1);
      // Every level (0 and ±2^k) has its own code: 2·exponents + 1 ≤ 2^b.
      expect(new Set(xh).size).toBeLessThanOrEqual(2 ** bits);
      expect(2 * exponents + 1).toBeLessThanOrEqual(2 ** bits);
    }
  });
});
