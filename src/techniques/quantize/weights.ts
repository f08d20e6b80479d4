/**
 * Weight quantization of plain layers for the quantization stages: uniform (symmetric or
 * asymmetric, per tensor or per output channel) or power-of-two, giving integer codes for the
 * integer path, the dequantized kernel ŵ the float model computes with, and the storage spec.
 */
import type { QuantParams, QuantScheme } from './quantizer';
import { assertBits, computeQuantParams, dequantize, quantize } from './quantizer';
import { log2ExponentCount, log2Params, log2Quantize } from './log2';
import type { TensorSizeSpec } from '../../engine/measure/size';
import type { NamedLayer, WeightLayer } from '../../engine/network/layers';
import { isWeightLayer, nonZeroCount } from '../../engine/network/layers';

export interface WeightQuantConfig {
  /** Bits per weight code, 2..16. */
  bits: number;
  /** Mixed precision: bits of the named layers' codes, overriding `bits` for them. */
  layerBits?: Readonly<Record<string, number>>;
  scheme: QuantScheme;
  /** One scale (and zero point) per output channel = last kernel axis, else one per tensor. */
  perChannel: boolean;
  /** Power-of-two levels ±2^k (sign + exponent codes) instead of a uniform grid. */
  powerOfTwo: boolean;
}

export interface QuantizedKernel {
  /** Integer codes q with ŵ = (q − z) · s, per tensor or per output channel. */
  codes: Int32Array;
  params: QuantParams;
  /** ŵ: the real values the codes stand for. */
  dequantized: Float32Array;
}

/**
 * Exponents kept below the largest power of two of a channel on the integer path: smaller
 * weights (< 2^−12 of the largest) flush to 0, so the codes 2^j stay shifts of at most 12 bits.
 */
export const POW2_MAX_SHIFT = 12;

/** Gathers channel c (innermost axis of `channels`) of values. */
function channelValues(values: Float32Array, channels: number, c: number): Float32Array {
  const out = new Float32Array(values.length / channels);
  for (let i = 0; i < out.length; i++) out[i] = values[i * channels + c]!;
  return out;
}

/**
 * Power-of-two kernel as uniform integers: ŵ = sign·2^k with k in the log2 window of the
 * channel; code q = ŵ / s with s = 2^(kmax − E), E = min(2^(b−1) − 2, POW2_MAX_SHIFT), so
 * |q| ≤ 2^E and exponents below kmax − E round to 0.
 */
function quantizePowerOfTwo(
  kernel: Float32Array,
  shape: readonly number[],
  bits: number,
  perChannel: boolean,
): QuantizedKernel {
  const channels = perChannel ? shape[shape.length - 1]! : 1;
  const shift = Math.min(log2ExponentCount(bits) - 1, POW2_MAX_SHIFT);
  const scale = new Float32Array(channels);
  const codes = new Int32Array(kernel.length);
  for (let c = 0; c < channels; c++) {
    const values = channelValues(kernel, channels, c);
    const window = log2Params(values, bits);
    const { sign, exponent } = log2Quantize(values, window);
    const base = window.maxExponent - shift;
    scale[c] = 2 ** base;
    for (let i = 0; i < values.length; i++) {
      const k = exponent[i]! - base;
      codes[i * channels + c] = k < 0 ? 0 : sign[i]! * 2 ** k;
    }
  }
  const params: QuantParams = {
    scale,
    zeroPoint: new Int32Array(channels),
    qmin: -(2 ** shift),
    qmax: 2 ** shift,
    bits,
    axis: perChannel ? shape.length - 1 : null,
  };
  return { codes, params, dequantized: dequantize(codes, params, shape) };
}

/** Quantizes a kernel: uniform q = clamp(round(w/s) + z) or power-of-two; ŵ = (q − z)·s. */
export function quantizeKernel(
  kernel: Float32Array,
  shape: readonly number[],
  config: WeightQuantConfig,
): QuantizedKernel {
  assertBits(config.bits);
  if (config.powerOfTwo) return quantizePowerOfTwo(kernel, shape, config.bits, config.perChannel);
  const params = computeQuantParams(kernel, shape, {
    bits: config.bits,
    scheme: config.scheme,
    axis: config.perChannel ? shape.length - 1 : null,
  });
  const codes = quantize(kernel, params, shape);
  return { codes, params, dequantized: dequantize(codes, params, shape) };
}

/**
 * Bits a power-of-two code really needs: ⌈log2(2·n + 1)⌉ for n = min(2^(b−1) − 1,
 * POW2_MAX_SHIFT + 1) exponents per sign plus zero — at most b, fewer once the shift cap binds.
 */
export function powerOfTwoStoredBits(bits: number): number {
  const exponents = Math.min(log2ExponentCount(bits), POW2_MAX_SHIFT + 1);
  return Math.max(2, Math.ceil(Math.log2(2 * exponents + 1)));
}

/** The config one layer is quantized with: its own bits under mixed precision, else `bits`. */
export function layerConfig(config: WeightQuantConfig, layerName: string): WeightQuantConfig {
  const own = config.layerBits && Object.hasOwn(config.layerBits, layerName);
  return own ? { ...config, bits: config.layerBits![layerName]! } : config;
}

/**
 * Storage of quantized layers: each kernel at `bits` (its layer's own, mixed precision) with scaleCount 1 or #output channels,
 * symmetric unless asymmetric uniform, nonZeros = non-zero ŵ; each bias fp32 (32 bits).
 */
export function quantizedStorage(
  layers: readonly WeightLayer[],
  config: WeightQuantConfig,
): TensorSizeSpec[] {
  const out: TensorSizeSpec[] = [];
  for (const layer of layers) {
    const outputs = layer.kernelShape[layer.kernelShape.length - 1]!;
    const own = layerConfig(config, layer.name);
    out.push(
      {
        name: `${layer.name}/kernel`,
        shape: [...layer.kernelShape],
        bits: own.powerOfTwo ? powerOfTwoStoredBits(own.bits) : own.bits,
        scaleCount: config.perChannel ? outputs : 1,
        symmetric: config.powerOfTwo || config.scheme === 'symmetric',
        nonZeros: nonZeroCount(layer.kernel),
      },
      { name: `${layer.name}/bias`, shape: [layer.bias.length], bits: 32 },
    );
  }
  return out;
}

/**
 * Plain layers whose kernels are replaced by ŵ (each at its layer's bits), with the quantized
 * kernel of each weight layer.
 */
export function quantizeLayers(
  layers: readonly NamedLayer[],
  config: WeightQuantConfig,
): { layers: NamedLayer[]; kernels: Map<string, QuantizedKernel> } {
  const kernels = new Map<string, QuantizedKernel>();
  const out = layers.map((layer): NamedLayer => {
    if (!isWeightLayer(layer)) return layer;
    const q = quantizeKernel(layer.kernel, layer.kernelShape, layerConfig(config, layer.name));
    kernels.set(layer.name, q);
    return { ...layer, kernel: q.dequantized, bias: Float32Array.from(layer.bias) };
  });
  return { layers: out, kernels };
}
