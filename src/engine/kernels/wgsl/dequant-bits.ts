/**
 * The last layer's dequantization y = f32((a · s_x) · s_w) in f64, done with 32-bit unsigned
 * integers only, as the WGSL int8 path does it (WGSL has no f64): each product of a 53-bit
 * significand is formed exactly in 32-bit limbs and rounded to nearest, ties to even, as IEEE
 * f64 would, and the result is rounded once more to f32 and returned as its bit pattern. This is
 * the shader's arithmetic line for line, so Node tests can check it against real f64 on millions
 * of values; the browser check then compares the shader with the JS reference.
 */

/** An f64 > 0 as significand S ∈ [2^52, 2^53) in two limbs and exponent e: x = S · 2^e. */
export interface F64Parts {
  hi: number;
  lo: number;
  exp: number;
}

const view = new DataView(new ArrayBuffer(8));

/** Parts of a positive normal f64: x = (hi · 2^32 + lo) · 2^exp, hi ∈ [2^20, 2^21). */
export function f64Parts(x: number): F64Parts {
  if (!(x > 0) || !Number.isFinite(x) || x < 2 ** -1022) {
    throw new RangeError(`${x} is not a positive normal number`);
  }
  view.setFloat64(0, x);
  const top = view.getUint32(0);
  return {
    hi: (top & 0xfffff) | 0x100000,
    lo: view.getUint32(4),
    exp: ((top >>> 20) & 0x7ff) - 1075,
  };
}

/** (a · b) mod 2^64 of two u32 as [lo, hi] from 16-bit halves (each product < 2^32). */
export function mul32(a: number, b: number): [number, number] {
  const a0 = a & 0xffff;
  const a1 = a >>> 16;
  const b0 = b & 0xffff;
  const b1 = b >>> 16;
  const p01 = (a0 * b1) >>> 0;
  const mid = (p01 + a1 * b0) >>> 0;
  const midCarry = mid < p01 ? 1 : 0;
  const p00 = (a0 * b0) >>> 0;
  const lo = (p00 + ((mid << 16) >>> 0)) >>> 0;
  const loCarry = lo < p00 ? 1 : 0;
  const hi = (a1 * b1 + (mid >>> 16) + ((midCarry << 16) >>> 0) + loCarry) >>> 0;
  return [lo, hi];
}

/** Bits p … p + 31 of a little-endian limb array (0 past its end). */
function bits32(limbs: readonly number[], p: number): number {
  const w = p >>> 5;
  const b = p & 31;
  const at = (i: number) => limbs[i] ?? 0;
  return b === 0 ? at(w) : ((at(w) >>> b) | (at(w + 1) << (32 - b))) >>> 0;
}

/** Whether any of bits 0 … p − 1 is set. */
function anyBelow(limbs: readonly number[], p: number): boolean {
  for (let w = 0; w < p >>> 5; w++) if (limbs[w] !== 0) return true;
  const b = p & 31;
  return b !== 0 && ((limbs[p >>> 5] ?? 0) & ((1 << b) - 1)) !== 0;
}

/** Bit length of a limb array (0 for zero). */
function bitLength(limbs: readonly number[]): number {
  for (let w = limbs.length - 1; w >= 0; w--) {
    if (limbs[w] !== 0) return 32 * w + 32 - Math.clz32(limbs[w]!);
  }
  return 0;
}

/** ⌊N / 2^s⌉ (ties to even) as 53-bit parts with N = (hi · 2^32 + lo) · 2^(s'), s' = s or s + 1 on carry. */
function roundAt(
  limbs: readonly number[],
  shift: number,
): { hi: number; lo: number; shift: number } {
  let lo = bits32(limbs, shift);
  let hi = bits32(limbs, shift + 32) & 0x3fffff;
  if (shift > 0) {
    const half = (bits32(limbs, shift - 1) & 1) === 1;
    if (half && (anyBelow(limbs, shift - 1) || (lo & 1) === 1)) {
      lo = (lo + 1) >>> 0;
      if (lo === 0) hi += 1;
    }
  }
  if (hi === 0x200000) return { hi: 0x100000, lo: 0, shift: shift + 1 };
  return { hi, lo, shift };
}

/** f64 rounding of N · 2^e for a limb array N ≥ 2^52: the 53-bit significand and its exponent. */
function toF64(limbs: readonly number[], exp: number): F64Parts {
  const r = roundAt(limbs, bitLength(limbs) - 53);
  return { hi: r.hi, lo: r.lo, exp: exp + r.shift };
}

/** s · (hi·2^32 + lo) of a u32 s and two limbs, as three limbs. */
function mulLimb(s: number, hi: number, lo: number): number[] {
  const [l0, c0] = mul32(s, lo);
  const [m0, m1] = mul32(s, hi);
  const l1 = (c0 + m0) >>> 0;
  return [l0, l1, (m1 + (l1 < c0 ? 1 : 0)) >>> 0];
}

/** Product of two 53-bit significands, as four limbs. */
function mulParts(x: F64Parts, y: F64Parts): number[] {
  const low = mulLimb(y.lo, x.hi, x.lo);
  const high = mulLimb(y.hi, x.hi, x.lo);
  const l1 = (low[1]! + high[0]!) >>> 0;
  const c1 = l1 < low[1]! ? 1 : 0;
  const s2 = (low[2]! + high[1]!) >>> 0;
  const l2 = (s2 + c1) >>> 0;
  const c2 = (s2 < low[2]! ? 1 : 0) + (l2 < s2 ? 1 : 0);
  return [low[0]!, l1, l2, (high[2]! + c2) >>> 0];
}

/** Bit pattern of f32(v) for v = (hi·2^32 + lo) · 2^exp > 0 in f64 (ties to even, subnormals kept). */
function f32Bits(v: F64Parts): number {
  const biased = v.exp + 52 + 127;
  const drop = biased >= 1 ? 29 : 30 - biased;
  if (drop >= 54) return 0;
  let mant = roundAt([v.lo, v.hi], drop).lo;
  // A subnormal that rounds up to 2^23 is the smallest normal's pattern as it stands.
  if (biased < 1) return mant;
  let e = biased;
  if (mant === 0x1000000) {
    mant = 0x800000;
    e += 1;
  }
  if (e >= 255) return 0x7f800000;
  return ((e << 23) | (mant & 0x7fffff)) >>> 0;
}

/** Bits of f32((a · s_x) · s_w) in f64 for an int32 a, from integer arithmetic only. */
export function dequantBits(a: number, sx: F64Parts, sw: F64Parts): number {
  if (a === 0) return 0;
  const magnitude = Math.abs(a) >>> 0;
  const t = toF64(mulLimb(magnitude, sx.hi, sx.lo), sx.exp);
  const y = toF64(mulParts(t, sw), t.exp + sw.exp);
  return (f32Bits(y) | (a < 0 ? 0x80000000 : 0)) >>> 0;
}
