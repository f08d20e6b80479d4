import { describe, expect, it } from 'vitest';
import { dequantBits, f64Parts, mul32 } from './dequant-bits';

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const bitsOf = (v: number) => ((f32[0] = v), u32[0]!);

/** Deterministic xorshift32 stream in [0, 1). */
function stream(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

describe('dequantBits: f32((a · s_x) · s_w) from 32-bit integer arithmetic', () => {
  it('multiplies two u32 exactly into 64 bits', () => {
    const next = stream(7);
    for (let i = 0; i < 2000; i++) {
      const a = Math.floor(next() * 2 ** 32);
      const b = Math.floor(next() * 2 ** 32);
      const [lo, hi] = mul32(a, b);
      expect(BigInt(hi) * 2n ** 32n + BigInt(lo)).toBe(BigInt(a) * BigInt(b));
    }
  });

  it('splits an f64 into its significand and exponent', () => {
    for (const x of [1, 0.1, 3e-5, 2 ** -1022, 1.7976931348623157e308]) {
      const p = f64Parts(x);
      expect(p.hi).toBeGreaterThanOrEqual(2 ** 20);
      expect((p.hi * 2 ** 32 + p.lo) * 2 ** p.exp).toBe(x);
    }
    expect(() => f64Parts(0)).toThrow(RangeError);
    expect(() => f64Parts(-1)).toThrow(RangeError);
  });

  it('equals real f64 arithmetic rounded to f32, bit for bit, on 200,000 random cases', () => {
    const next = stream(2026);
    let mismatches = 0;
    for (let i = 0; i < 200_000; i++) {
      const wide = next() < 0.5;
      const a = Math.floor((next() - 0.5) * (wide ? 2 ** 32 : 2 ** 12)) | 0;
      const sx = (1 + next()) * 2 ** Math.floor(next() * 40 - 30);
      const sw = (1 + next()) * 2 ** Math.floor(next() * 40 - 30);
      if (dequantBits(a, f64Parts(sx), f64Parts(sw)) !== bitsOf(a * sx * sw)) mismatches++;
    }
    expect(mismatches).toBe(0);
  });

  it('keeps the edges: zero, int32 extremes, ties, subnormal and overflowing results', () => {
    const cases: [number, number, number][] = [
      [0, 0.5, 0.25],
      [-2147483648, 1, 1],
      [2147483647, 1, 1],
      [2147483647, 0.9999999999999999, 1.0000000000000002],
      [16777217, 1, 1], // 2^24 + 1: a tie between two f32s, kept to even
      [16777219, 1, 1],
      [3, 2 ** -150, 1], // subnormal results
      [1, 2 ** -149, 0.75],
      [7, 2 ** -140, 2 ** -10],
      [1, 2 ** -127, 0.99999999], // rounds up to the smallest normal
      [1, 2 ** -150, 1], // exactly half the smallest subnormal: ties to zero
      [2147483647, 2 ** 100, 2 ** 30], // past f32: infinity
      [-5, 3.4028234663852886e38, 1],
    ];
    for (const [a, sx, sw] of cases) {
      expect(dequantBits(a, f64Parts(sx), f64Parts(sw))).toBe(bitsOf(a * sx * sw));
    }
  });
});
