/**
 * The integer tensors of a QDQ export: which ONNX integer type holds a layer's weight codes. The
 * values never change: codes and zero points only move together by one offset, which leaves
 * ŵ = (q − z)·s as it was.
 */
import type { QuantParams } from './adapter';
import type { DataTypeCode } from './proto';
import { DataType, INTEGER_RANGE } from './proto';

/** Integer types a weight tensor can be stored in. */
export type WeightType = 'int4' | 'int8' | 'uint8' | 'int16';

const TYPE_CODE: Readonly<Record<WeightType, DataTypeCode>> = {
  int4: DataType.INT4,
  int8: DataType.INT8,
  uint8: DataType.UINT8,
  int16: DataType.INT16,
};

export interface WeightTensor {
  dataType: DataTypeCode;
  /** Codes as stored, in the app's layout (output channels innermost). */
  codes: Int32Array;
  /** One zero point per output channel (or one per tensor), in the stored type. */
  zeroPoints: Int32Array;
  /** Largest |stored code|: what int16 pair sums of u8·s8 kernels see. */
  maxAbsCode: number;
}

/** Smallest and largest of the codes and zero points. */
export function codeSpan(codes: Int32Array, zeroPoints: Int32Array): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of [codes, zeroPoints]) {
    for (const v of list) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return [lo, hi];
}

/**
 * Codes and zero points in `type`, moved by one offset k (q + k, z + k) when they do not fit as
 * they are: ±128 / ±8 first (signed ↔ unsigned grids, e.g. z = 128 for symmetric uint8), else
 * the smallest offset; null when their span hi − lo is wider than the type.
 */
export function weightTensor(
  codes: Int32Array,
  params: QuantParams,
  type: WeightType,
): WeightTensor | null {
  const dataType = TYPE_CODE[type];
  const [min, max] = INTEGER_RANGE[dataType]!;
  const [lo, hi] = codeSpan(codes, params.zeroPoint);
  if (hi - lo > max - min) return null;
  const shift = [0, 128, -128, 8, -8, min - lo].find((k) => lo + k >= min && hi + k <= max)!;
  const stored = shift ? codes.map((q) => q + shift) : Int32Array.from(codes);
  const zeroPoints = Int32Array.from(params.zeroPoint, (z) => z + shift);
  return {
    dataType,
    codes: stored,
    zeroPoints,
    maxAbsCode: Math.max(Math.abs(lo + shift), Math.abs(hi + shift)),
  };
}

/** ŵ = (q − z[c])·s[c] in float32, channels innermost: a layer ORT cannot take as integers. */
export function dequantizedWeights(codes: Int32Array, params: QuantParams): Float32Array {
  const n = params.scale.length;
  return Float32Array.from(codes, (q, i) => (q - params.zeroPoint[i % n]!) * params.scale[i % n]!);
}

/** Bias scale s_b[c] = s_x · s_w[c] (one per output channel, or one per tensor). */
export function biasScale(inputScale: number, weightScale: Float32Array): Float32Array {
  return Float32Array.from(weightScale, (s) => inputScale * s);
}
