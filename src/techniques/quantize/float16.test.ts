import { describe, expect, it } from 'vitest';
import {
  float16BitsToFloat32,
  float16RoundTrip,
  float32ToFloat16Bits,
  fromFloat16Bits,
  toFloat16Bits,
} from './float16';

describe('float16 encode / decode', () => {
  it('hand-checked bit patterns', () => {
    const cases: [number, number][] = [
      [0, 0x0000],
      [-0, 0x8000],
      [1, 0x3c00],
      [-2, 0xc000],
      [0.5, 0x3800],
      [65504, 0x7bff], // largest finite half
      [65520, 0x7c00], // tie between 65504 and 65536 → even → Infinity
      [1e6, 0x7c00],
      [-Infinity, 0xfc00],
      [2 ** -14, 0x0400], // smallest normal
      [2 ** -24, 0x0001], // smallest subnormal
      [2 ** -25, 0x0000], // tie between 0 and 2^-24 → even → 0
      [1.5 * 2 ** -25, 0x0001],
      [1 + 2 ** -11, 0x3c00], // tie → even mantissa 0
      [1 + 3 * 2 ** -11, 0x3c02], // tie → even mantissa 2
      [1 / 3, 0x3555],
    ];
    for (const [x, bits] of cases) expect(toFloat16Bits(x), `x = ${x}`).toBe(bits);
    expect(toFloat16Bits(NaN)).toBe(0x7e00);
    expect(fromFloat16Bits(0x7e00)).toBeNaN();
    expect(fromFloat16Bits(0x3555)).toBeCloseTo(0.333251953125, 12);
  });

  it('every one of the 65,536 half patterns decodes and re-encodes to itself (NaN aside)', () => {
    const all = Uint16Array.from({ length: 65536 }, (_, i) => i);
    const back = float32ToFloat16Bits(float16BitsToFloat32(all));
    let mismatches = 0;
    for (let h = 0; h < 65536; h++) {
      const isNaN = (h & 0x7c00) === 0x7c00 && (h & 0x3ff) !== 0;
      if (!isNaN && back[h] !== h) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('round trip is the nearest half: relative error ≤ 2^-11 for normal values', () => {
    const x = Float32Array.from({ length: 5000 }, (_, i) => (i - 2500) * 0.0137 + 1e-3);
    const xh = float16RoundTrip(x);
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (Math.abs(v) < 2 ** -14) continue;
      expect(Math.abs(xh[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11);
    }
  });
});
