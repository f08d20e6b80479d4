/**
 * Power-of-two (logarithmic) quantization: x → sign(x) · 2^k, k = clip(round(log2|x|), kmin, kmax).
 * Zero is a level of its own, so the 2^b codes hold 0 and ±2^k for 2^(b−1) − 1 exponents:
 * 2^b − 1 levels, which fit b bits (a sign bit plus 2^(b−1) exponents would need 2^b + 1).
 */
import { assertBits } from './quantizer';

export interface Log2Params {
  bits: number;
  /** Largest exponent: round(log2 max|x|), so the biggest value keeps its own power of two. */
  maxExponent: number;
  /** Smallest exponent: maxExponent − (2^(bits−1) − 1) + 1; smaller magnitudes are clipped up to it. */
  minExponent: number;
}

export interface Log2Codes {
  /** −1, 0 (exact zero) or +1 per value. */
  sign: Int8Array;
  /** Exponent k per value, inside [minExponent, maxExponent] (0 where sign is 0). */
  exponent: Int32Array;
}

/** Exponents a b-bit power-of-two code holds besides zero: 2^(b−1) − 1 (so 2^b − 1 levels). */
export function log2ExponentCount(bits: number): number {
  assertBits(bits);
  return 2 ** (bits - 1) - 1;
}

/** Exponent window for the values: kmax = round(log2 max|x|), kmin = kmax − (2^(b−1) − 1) + 1. */
export function log2Params(values: Float32Array, bits: number): Log2Params {
  assertBits(bits);
  let absMax = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) throw new RangeError(`Cannot quantize a non-finite value (${v}).`);
    absMax = Math.max(absMax, Math.abs(v));
  }
  const maxExponent = absMax > 0 ? Math.round(Math.log2(absMax)) : 0;
  return { bits, maxExponent, minExponent: maxExponent - log2ExponentCount(bits) + 1 };
}

/** Codes per value: sign(x) and k = clip(round(log2|x|), kmin, kmax) (rounded in the log domain). */
export function log2Quantize(values: Float32Array, params: Log2Params): Log2Codes {
  const sign = new Int8Array(values.length);
  const exponent = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v === 0) continue;
    sign[i] = v > 0 ? 1 : -1;
    const k = Math.round(Math.log2(Math.abs(v)));
    exponent[i] = Math.min(params.maxExponent, Math.max(params.minExponent, k));
  }
  return { sign, exponent };
}

/** x̂ = sign · 2^k for every code. */
export function log2Dequantize(codes: Log2Codes): Float32Array {
  const out = new Float32Array(codes.sign.length);
  for (let i = 0; i < out.length; i++) {
    out[i] = codes.sign[i]! * 2 ** codes.exponent[i]!;
  }
  return out;
}

/** x̂ = log2Dequantize(log2Quantize(x)) with the exponent window fitted to x. */
export function log2FakeQuantize(values: Float32Array, bits: number): Float32Array {
  return log2Dequantize(log2Quantize(values, log2Params(values, bits)));
}
