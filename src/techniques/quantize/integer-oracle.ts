/**
 * Test oracle for the integer kernels: the textbook loops of integer inference, written for
 * clarity, not speed (tests only; the app runs integer-kernels.ts). The arithmetic an int8 runtime does: integer activations and
 * weights, int32 accumulation acc = Σ (q_x − z_x)(q_w − z_w) + q_b with the bias stored at scale
 * s_x·s_w, then requantization to the next layer's grid, q_y = clamp(round(M·acc) + z_y), with a
 * float multiplier M = s_x·s_w / s_y (a real kernel would use a fixed-point multiplier and shift).
 */
import type { QuantParams } from './quantizer';
import { computeQuantParams, quantize } from './quantizer';
import type { IntegerLayer } from './integer-kernels';
import { quantizeBias, requantize } from './integer-kernels';

export interface IntegerLayerOptions {
  weightBits?: number;
  perChannel?: boolean;
  relu?: boolean;
}

/** Quantizes a float layer (kernel, optional bias) for integer inference with given I/O params. */
export function quantizeLayerForIntegerInference(
  kernel: Float32Array,
  kernelShape: number[],
  bias: Float32Array | null,
  inputParams: QuantParams,
  outputParams: QuantParams,
  options: IntegerLayerOptions = {},
): IntegerLayer {
  if (inputParams.scale.length !== 1 || outputParams.scale.length !== 1) {
    throw new RangeError('Integer inference needs per-tensor input and output params.');
  }
  const axis = options.perChannel === false ? null : kernelShape.length - 1;
  const bits = options.weightBits ?? 8;
  const weightParams = computeQuantParams(kernel, kernelShape, { bits, scheme: 'symmetric', axis });
  const outC = kernelShape[kernelShape.length - 1]!;
  return {
    kernel: quantize(kernel, weightParams, kernelShape),
    kernelShape: [...kernelShape],
    weightParams,
    bias: quantizeBias(bias ?? new Float32Array(outC), inputParams.scale[0]!, weightParams.scale),
    inputParams,
    outputParams,
    relu: options.relu ?? false,
  };
}

function multipliers(layer: IntegerLayer): Float64Array {
  const outC = layer.kernelShape[layer.kernelShape.length - 1]!;
  const sx = layer.inputParams.scale[0]!;
  const sy = layer.outputParams.scale[0]!;
  const ws = layer.weightParams.scale;
  return Float64Array.from(
    { length: outC },
    (_, c) => (sx * (ws.length === 1 ? ws[0]! : ws[c]!)) / sy,
  );
}

/** Integer dense: q_y[n, c] = requant(Σ_i (q_x[n,i] − z_x)(q_w[i,c] − z_w) + q_b[c]); x is [batch, in]. */
export function integerDense(qx: Int32Array, batch: number, layer: IntegerLayer): Int32Array {
  const [inDim, outDim] = layer.kernelShape as [number, number];
  if (layer.kernelShape.length !== 2 || qx.length !== batch * inDim) {
    throw new RangeError(`integerDense expects a [${batch}, ${inDim}] input and a 2-D kernel.`);
  }
  const zx = layer.inputParams.zeroPoint[0]!;
  const zw = layer.weightParams.zeroPoint;
  const m = multipliers(layer);
  const out = new Int32Array(batch * outDim);
  for (let n = 0; n < batch; n++) {
    for (let c = 0; c < outDim; c++) {
      const zwc = zw.length === 1 ? zw[0]! : zw[c]!;
      let acc = layer.bias[c]!;
      for (let i = 0; i < inDim; i++) {
        acc = (acc + (qx[n * inDim + i]! - zx) * (layer.kernel[i * outDim + c]! - zwc)) | 0;
      }
      out[n * outDim + c] = requantize(acc, m[c]!, layer.outputParams, layer.relu);
    }
  }
  return out;
}

/** Integer conv2d, valid padding, stride 1: NHWC input [n, h, w, inC] → [n, h−kh+1, w−kw+1, outC]. */
export function integerConv2dValid(
  qx: Int32Array,
  inputShape: [number, number, number, number],
  layer: IntegerLayer,
): { values: Int32Array; shape: [number, number, number, number] } {
  const [n, h, w, inC] = inputShape;
  const [kh, kw, kc, outC] = layer.kernelShape as [number, number, number, number];
  if (layer.kernelShape.length !== 4 || kc !== inC || qx.length !== n * h * w * inC) {
    throw new RangeError('integerConv2dValid expects an NHWC input matching the HWIO kernel.');
  }
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const zx = layer.inputParams.zeroPoint[0]!;
  const zw = layer.weightParams.zeroPoint;
  const m = multipliers(layer);
  const out = new Int32Array(n * oh * ow * outC);
  let o = 0;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      for (let x = 0; x < ow; x++) {
        for (let c = 0; c < outC; c++) {
          const zwc = zw.length === 1 ? zw[0]! : zw[c]!;
          let acc = layer.bias[c]!;
          for (let dy = 0; dy < kh; dy++) {
            for (let dx = 0; dx < kw; dx++) {
              const xBase = ((b * h + y + dy) * w + x + dx) * inC;
              const kBase = (dy * kw + dx) * inC * outC + c;
              for (let i = 0; i < inC; i++) {
                const prod = (qx[xBase + i]! - zx) * (layer.kernel[kBase + i * outC]! - zwc);
                acc = (acc + prod) | 0;
              }
            }
          }
          out[o++] = requantize(acc, m[c]!, layer.outputParams, layer.relu);
        }
      }
    }
  }
  return { values: out, shape: [n, oh, ow, outC] };
}
