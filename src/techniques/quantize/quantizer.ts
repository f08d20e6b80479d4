/**
 * Uniform affine quantization on plain typed arrays: q = clamp(round(x / s) + z, qmin, qmax),
 * x̂ = (q − z) · s. Per tensor (one scale) or per channel (one scale per index of `axis`).
 */

export type QuantScheme = 'symmetric' | 'asymmetric';

export interface QuantConfig {
  /** Bits per stored integer, 2..16. */
  bits: number;
  /** symmetric: zero point 0, signed grid; asymmetric: unsigned grid [0, 2^b − 1] with zero point. */
  scheme: QuantScheme;
  /** Symmetric only: use [−(2^(b−1) − 1), 2^(b−1) − 1] (default true) instead of [−2^(b−1), …]. */
  narrowRange?: boolean;
  /** Axis holding the channels for per-channel params; null or omitted for per-tensor. */
  axis?: number | null;
}

export interface QuantParams {
  /** Step size in real units per integer step; one entry per tensor or per channel. */
  scale: Float32Array;
  /** Integer that represents real 0; always inside [qmin, qmax]. */
  zeroPoint: Int32Array;
  qmin: number;
  qmax: number;
  bits: number;
  /** Channel axis (normalised to be non-negative) or null for per-tensor. */
  axis: number | null;
}

/** Throws a RangeError unless bits is an integer in 2..16 (the widths this app can store). */
export function assertBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new RangeError(
      `Quantization needs a whole number of bits from 2 to 16, but got ${String(bits)}.`,
    );
  }
}

/** Integer grid [qmin, qmax]: asymmetric [0, 2^b−1]; symmetric [−2^(b−1)(+1 if narrow), 2^(b−1)−1]. */
export function quantRange(
  bits: number,
  scheme: QuantScheme,
  narrowRange = true,
): { qmin: number; qmax: number } {
  assertBits(bits);
  if (scheme === 'asymmetric') return { qmin: 0, qmax: 2 ** bits - 1 };
  const qmax = 2 ** (bits - 1) - 1;
  return { qmin: narrowRange ? -qmax : -qmax - 1, qmax };
}

/** Tie-breaking identical to tf.round: halves go to the even neighbour (banker's rounding). */
export function roundHalfEven(x: number): number {
  const base = Math.floor(x);
  const frac = x - base;
  if (frac < 0.5) return base;
  if (frac > 0.5) return base + 1;
  return base % 2 === 0 ? base : base + 1;
}

/** Checks shape against length and returns (channels, stride): element i is in channel ⌊i/stride⌋ mod channels. */
export function channelLayout(
  length: number,
  shape: readonly number[],
  axis: number | null,
): { channels: number; stride: number; axis: number | null } {
  const size = shape.reduce((a, b) => a * b, 1);
  if (size !== length) {
    throw new RangeError(`Shape [${shape.join(', ')}] holds ${size} values, but got ${length}.`);
  }
  if (axis === null) return { channels: 1, stride: Math.max(length, 1), axis: null };
  const ax = axis < 0 ? axis + shape.length : axis;
  if (!Number.isInteger(ax) || ax < 0 || ax >= shape.length) {
    throw new RangeError(`Channel axis ${axis} is outside a tensor of rank ${shape.length}.`);
  }
  const stride = shape.slice(ax + 1).reduce((a, b) => a * b, 1);
  return { channels: shape[ax] ?? 1, stride, axis: ax };
}

/** Per-channel (or whole-tensor) minimum and maximum of the values. */
export function rangeOf(
  values: Float32Array,
  shape: readonly number[],
  axis: number | null = null,
): { min: Float32Array; max: Float32Array } {
  const { channels, stride } = channelLayout(values.length, shape, axis);
  const min = new Float32Array(channels).fill(Infinity);
  const max = new Float32Array(channels).fill(-Infinity);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) throw new RangeError(`Cannot quantize a non-finite value (${v}).`);
    const c = Math.floor(i / stride) % channels;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
  }
  return { min, max };
}

/**
 * Params from real ranges. Symmetric: s = max(|min|, |max|) / qmax, z = 0. Asymmetric (range
 * widened to include 0): s = (max − min) / (qmax − qmin), z = clamp(round(qmin − min / s)).
 */
export function quantParamsFromRange(
  min: ArrayLike<number>,
  max: ArrayLike<number>,
  config: QuantConfig,
): QuantParams {
  const { qmin, qmax } = quantRange(config.bits, config.scheme, config.narrowRange ?? true);
  if (min.length !== max.length || min.length === 0) {
    throw new RangeError('Quantization ranges need matching, non-empty min and max lists.');
  }
  const n = min.length;
  const scale = new Float32Array(n);
  const zeroPoint = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    const lo = Math.min(min[c]!, 0);
    const hi = Math.max(max[c]!, 0);
    if (!Number.isFinite(lo) || !Number.isFinite(hi) || lo > hi) {
      throw new RangeError(`Invalid quantization range [${min[c]}, ${max[c]}].`);
    }
    const raw =
      config.scheme === 'symmetric' ? Math.max(-lo, hi) / qmax : (hi - lo) / (qmax - qmin);
    // An all-zero channel quantizes exactly with any step; 1 keeps the division finite.
    scale[c] = Math.fround(raw) > 0 ? raw : 1;
    if (config.scheme === 'asymmetric') {
      const z = roundHalfEven(qmin - lo / scale[c]!);
      zeroPoint[c] = Math.min(qmax, Math.max(qmin, z));
    }
  }
  return { scale, zeroPoint, qmin, qmax, bits: config.bits, axis: config.axis ?? null };
}

/** Params fitted to the values' own min/max, per tensor or per channel along config.axis. */
export function computeQuantParams(
  values: Float32Array,
  shape: readonly number[],
  config: QuantConfig,
): QuantParams {
  assertBits(config.bits);
  const layout = channelLayout(values.length, shape, config.axis ?? null);
  if (values.length === 0) throw new RangeError('Cannot fit quantization params to no values.');
  const { min, max } = rangeOf(values, shape, layout.axis);
  return quantParamsFromRange(min, max, { ...config, axis: layout.axis });
}

/** Channel index function for params; without a shape the channels are taken as the last axis. */
function channelOf(
  length: number,
  params: QuantParams,
  shape?: readonly number[],
): (i: number) => number {
  const n = params.scale.length;
  if (params.axis === null || n === 1) return () => 0;
  if (!shape) {
    if (length % n !== 0) throw new RangeError(`${length} values do not split into ${n} channels.`);
    return (i) => i % n;
  }
  const { channels, stride } = channelLayout(length, shape, params.axis);
  if (channels !== n) {
    throw new RangeError(`Params have ${n} channels but axis ${params.axis} has ${channels}.`);
  }
  return (i) => Math.floor(i / stride) % channels;
}

/** q = clamp(round(x / s + z), qmin, qmax), round half to even (as tf.round); integers in the grid. */
export function quantize(
  values: Float32Array,
  params: QuantParams,
  shape?: readonly number[],
): Int32Array {
  const ch = channelOf(values.length, params, shape);
  const out = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = ch(i);
    const q = roundHalfEven(values[i]! / params.scale[c]! + params.zeroPoint[c]!);
    out[i] = Math.min(params.qmax, Math.max(params.qmin, q));
  }
  return out;
}

/** x̂ = (q − z) · s, in the real units of the original values. */
export function dequantize(
  q: Int32Array,
  params: QuantParams,
  shape?: readonly number[],
): Float32Array {
  const ch = channelOf(q.length, params, shape);
  const out = new Float32Array(q.length);
  for (let i = 0; i < q.length; i++) {
    const c = ch(i);
    out[i] = (q[i]! - params.zeroPoint[c]!) * params.scale[c]!;
  }
  return out;
}

/** x̂ = dequantize(quantize(x)): the float values a quantized tensor stands for. */
export function fakeQuantizeArray(
  values: Float32Array,
  params: QuantParams,
  shape?: readonly number[],
): Float32Array {
  return dequantize(quantize(values, params, shape), params, shape);
}
