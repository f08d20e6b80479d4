/**
 * Integer kernels of the converted model, on typed arrays. Accumulators are exact integers
 * acc = q_b + Σ (q_x − z_x)(q_w − z_w), held in float64 (exact below 2^53), so they equal int32
 * accumulation whenever accumulatorBits ≤ 32 and stay exact when a wider one is needed (as int64
 * accumulators do in real 16-bit runtimes). Requantization does `requantize`.
 */
import type { QuantParams } from './quantizer';
import { roundHalfEven } from './quantizer';

/** One dense / conv layer of a converted integer model. */
export interface IntegerLayer {
  /** Integer kernel: dense [in, out] or conv HWIO [kh, kw, inC, outC]. */
  kernel: Int32Array;
  kernelShape: number[];
  /** Symmetric weight params, per tensor or per output channel (last kernel axis). */
  weightParams: QuantParams;
  /** Bias in int32 at scale s_x · s_w[c]. */
  bias: Int32Array;
  /** Per-tensor params of the layer input. */
  inputParams: QuantParams;
  /** Per-tensor params of the layer output (the next layer's input). */
  outputParams: QuantParams;
  /** Fused ReLU: clamp the output below at z_y (real 0). */
  relu: boolean;
  /**
   * The exact bias codes when a code does not fit int32 (only with very fine grids, e.g. 16-bit
   * weights and activations: real runtimes then store int64 biases).
   */
  wideBias?: Float64Array;
}

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** q_b[c] = clamp_int32(round(b[c] / (s_x · s_w[c]))). */
export function quantizeBias(
  bias: Float32Array,
  inputScale: number,
  weightScale: Float32Array,
): Int32Array {
  const out = new Int32Array(bias.length);
  for (let c = 0; c < bias.length; c++) {
    const sw = weightScale.length === 1 ? weightScale[0]! : weightScale[c]!;
    const q = roundHalfEven(bias[c]! / (inputScale * sw));
    out[c] = Math.min(INT32_MAX, Math.max(INT32_MIN, q));
  }
  return out;
}

/** q_y = clamp(round(M · acc) + z_y, lo, qmax), lo = max(qmin, z_y) with fused ReLU. */
export function requantize(
  acc: number,
  multiplier: number,
  out: QuantParams,
  relu: boolean,
): number {
  const z = out.zeroPoint[0]!;
  const lo = relu ? Math.max(out.qmin, z) : out.qmin;
  return Math.min(out.qmax, Math.max(lo, roundHalfEven(multiplier * acc) + z));
}

/** Per-channel weights with their zero point removed: q_w − z_w[c], channels innermost. */
export function centredKernel(layer: IntegerLayer): Float64Array {
  const outC = layer.kernelShape[layer.kernelShape.length - 1]!;
  const zw = layer.weightParams.zeroPoint;
  return Float64Array.from(layer.kernel, (q, i) => q - (zw.length === 1 ? zw[0]! : zw[i % outC]!));
}

/** Examples per block of the dense kernel loop (the block's accumulators stay in cache). */
const ROW_BLOCK = 32;

/** Dense accumulators: acc[r, c] = q_b[c] + Σ_i (q_x[r, i] − z_x)(q_w[i, c] − z_w[c]). */
export function denseAccumulators(
  qx: Int32Array,
  layer: IntegerLayer,
  w: Float64Array = centredKernel(layer),
): Float64Array {
  const [inDim, outDim] = layer.kernelShape as [number, number];
  if (layer.kernelShape.length !== 2 || qx.length % inDim !== 0) {
    throw new RangeError(`A dense layer with ${inDim} inputs cannot read ${qx.length} values.`);
  }
  const rows = qx.length / inDim;
  const zx = layer.inputParams.zeroPoint[0]!;
  const out = new Float64Array(rows * outDim);
  const bias = layer.wideBias ?? layer.bias;
  for (let r = 0; r < rows; r++) out.set(bias, r * outDim);
  // Rows in blocks, kernel rows outermost: each kernel row is read once per block, not per row.
  for (let r0 = 0; r0 < rows; r0 += ROW_BLOCK) {
    const r1 = Math.min(rows, r0 + ROW_BLOCK);
    for (let i = 0; i < inDim; i++) {
      const k = i * outDim;
      for (let r = r0; r < r1; r++) {
        const xv = qx[r * inDim + i]! - zx;
        if (xv === 0) continue; // real zeros (e.g. after ReLU) add nothing
        const o = r * outDim;
        for (let c = 0; c < outDim; c++) out[o + c] = out[o + c]! + xv * w[k + c]!;
      }
    }
  }
  return out;
}

/** Conv accumulators, valid padding, stride 1: NHWC [n, h, w, inC] → [n, h−kh+1, w−kw+1, outC]. */
export function convAccumulators(
  qx: Int32Array,
  shape: readonly number[],
  layer: IntegerLayer,
  k: Float64Array = centredKernel(layer),
): { values: Float64Array; shape: [number, number, number, number] } {
  const [n = 0, h = 0, w = 0, inC = 0] = shape;
  const [kh, kw, kc, outC] = layer.kernelShape as [number, number, number, number];
  if (shape.length !== 4 || layer.kernelShape.length !== 4 || kc !== inC) {
    throw new RangeError('An integer conv needs NHWC input matching its HWIO kernel.');
  }
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const zx = layer.inputParams.zeroPoint[0]!;
  const bias = layer.wideBias ?? layer.bias;
  const out = new Float64Array(n * oh * ow * outC);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const o = ((b * oh + y) * ow + x) * outC;
        for (let c = 0; c < outC; c++) out[o + c] = bias[c]!;
        for (let dy = 0; dy < kh; dy++) {
          for (let dx = 0; dx < kw; dx++) {
            const xBase = ((b * h + y + dy) * w + x + dx) * inC;
            const kBase = (dy * kw + dx) * inC * outC;
            for (let i = 0; i < inC; i++) {
              const xv = qx[xBase + i]! - zx;
              if (xv === 0) continue;
              const kRow = kBase + i * outC;
              for (let c = 0; c < outC; c++) out[o + c] = out[o + c]! + xv * k[kRow + c]!;
            }
          }
        }
      }
    }
  }
  return { values: out, shape: [n, oh, ow, outC] };
}

/** Requantization multipliers M[c] = s_x · s_w[c] / s_y. */
export function multipliers(layer: IntegerLayer, output: QuantParams): Float64Array {
  const outC = layer.kernelShape[layer.kernelShape.length - 1]!;
  const sx = layer.inputParams.scale[0]!;
  const sy = output.scale[0]!;
  const ws = layer.weightParams.scale;
  return Float64Array.from({ length: outC }, (_, c) => {
    return (sx * (ws.length === 1 ? ws[0]! : ws[c]!)) / sy;
  });
}

/**
 * q_y = clamp(round(M[c] · acc) + z_y, lo, qmax), lo = z_y with fused ReLU else qmin, rounding
 * half to even: `requantize`, inlined because it runs once per activation.
 */
export function requantizeAccumulators(acc: Float64Array, layer: IntegerLayer): Int32Array {
  const m = multipliers(layer, layer.outputParams);
  const outC = m.length;
  const { qmin, qmax } = layer.outputParams;
  const z = layer.outputParams.zeroPoint[0]!;
  const lo = layer.relu ? Math.max(qmin, z) : qmin;
  const out = new Int32Array(acc.length);
  for (let i = 0, c = 0; i < acc.length; i++, c = c + 1 === outC ? 0 : c + 1) {
    const v = m[c]! * acc[i]!;
    let r = Math.floor(v);
    const frac = v - r;
    if (frac > 0.5 || (frac === 0.5 && r % 2 !== 0)) r++;
    const q = r + z;
    out[i] = q < lo ? lo : q > qmax ? qmax : q;
  }
  return out;
}

/** Real outputs of the last layer: y = acc · s_x · s_w[c] (no output grid). */
export function dequantizeAccumulators(acc: Float64Array, layer: IntegerLayer): Float32Array {
  const outC = layer.kernelShape[layer.kernelShape.length - 1]!;
  const sx = layer.inputParams.scale[0]!;
  const ws = layer.weightParams.scale;
  return Float32Array.from(acc, (a, i) => a * sx * (ws.length === 1 ? ws[0]! : ws[i % outC]!));
}

/**
 * 2×2 max pooling, stride 2, valid (odd edges dropped) on NHWC values: integer codes (max commutes
 * with quantization) or floats (dynamic quantization pools the dequantized outputs).
 */
export function maxPoolCodes<T extends Int32Array | Float32Array>(
  q: T,
  shape: readonly number[],
): { values: T; shape: [number, number, number, number] } {
  const [n = 0, h = 0, w = 0, c = 0] = shape;
  const oh = Math.floor(h / 2);
  const ow = Math.floor(w / 2);
  const out = new (q.constructor as new (length: number) => T)(n * oh * ow * c);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        const at = (dy: number, dx: number) => ((b * h + 2 * y + dy) * w + 2 * x + dx) * c;
        const [p00, p01, p10, p11] = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)];
        for (let k = 0; k < c; k++, o++) {
          out[o] = Math.max(q[p00 + k]!, q[p01 + k]!, q[p10 + k]!, q[p11 + k]!);
        }
      }
    }
  }
  return { values: out, shape: [n, oh, ow, c] };
}

/**
 * Bits (with sign) a signed accumulator needs in the worst case:
 * ⌈log2(fanIn · max|q_x − z_x| · max|q_w − z_w| + max|q_b| + 1)⌉ + 1.
 */
export function accumulatorBits(layer: IntegerLayer): number {
  const ks = layer.kernelShape;
  const fanIn = ks.slice(0, -1).reduce((a, b) => a * b, 1);
  const { qmin, qmax, zeroPoint } = layer.inputParams;
  const maxX = Math.max(Math.abs(qmin - zeroPoint[0]!), Math.abs(qmax - zeroPoint[0]!));
  let maxW = 0;
  for (const v of centredKernel(layer)) maxW = Math.max(maxW, Math.abs(v));
  let maxB = 0;
  for (const b of layer.wideBias ?? layer.bias) maxB = Math.max(maxB, Math.abs(b));
  return Math.ceil(Math.log2(fanIn * maxX * maxW + maxB + 1)) + 1;
}
