/**
 * The converted integer model of static quantization: the input is quantized once, every dense /
 * conv layer accumulates integers and requantizes onto the next layer's input grid (ReLU fused as
 * a clamp at the zero point; tanh / sigmoid through a lookup table from a 16-bit pre-activation
 * grid), max pooling and flatten act on the codes, and the last layer's accumulators are
 * dequantized to float logits.
 */
import { checkBatchInput } from '../../../engine/network/layers';
import * as tf from '@tensorflow/tfjs';
import type { QuantParams } from '../quantizer';
import { quantParamsFromRange, quantize, roundHalfEven } from '../quantizer';
import { quantizeBias } from '../integer-kernels';
import type { TensorSizeSpec } from '../../../engine/measure/size';
import type { Range } from './calibrate';
import type { IntegerLayer } from '../integer-kernels';
import {
  accumulatorBits,
  centredKernel,
  convAccumulators,
  denseAccumulators,
  dequantizeAccumulators,
  maxPoolCodes,
  requantizeAccumulators,
} from '../integer-kernels';
import type { NamedLayer } from '../../../engine/network/layers';
import type { QuantizedKernel } from '../weights';
import type { WeightLayer } from '../../../engine/network/layers';
import { isWeightLayer } from '../../../engine/network/layers';

/** Bits of the pre-activation grid that feeds a tanh / sigmoid lookup table. */
export const LUT_BITS = 16;

export type IntegerOp =
  | {
      kind: 'dense' | 'conv';
      name: string;
      layer: IntegerLayer;
      /** q_w − z_w, precomputed once. */
      centred: Float64Array;
      /** tanh / sigmoid: next-grid code of every pre-activation code (index q − qmin). */
      lut: Int32Array | null;
      /** The last weight layer: its accumulators are dequantized to the real outputs. */
      last: boolean;
      activation: WeightLayer['activation'];
    }
  | { kind: 'maxpool' }
  | { kind: 'flatten' };

export interface IntegerModel {
  inputShape: number[];
  /** Grid of the model input (the first weight layer's input grid). */
  inputParams: QuantParams;
  ops: IntegerOp[];
  /** Values per example of the output (the last layer's channels). */
  outputSize: number;
  /** Worst-case signed accumulator width over the layers (≤ 32: int32 suffices). */
  accumulatorBits: number;
}

/** Per-tensor asymmetric activation grid of `bits` over a calibrated range (widened to hold 0). */
export function activationParams(range: Range, bits: number): QuantParams {
  return quantParamsFromRange([range.min], [range.max], { bits, scheme: 'asymmetric' });
}

function unitActivation(name: WeightLayer['activation'], v: number): number {
  if (name === 'tanh') return Math.tanh(v);
  if (name === 'sigmoid') return 1 / (1 + Math.exp(-v));
  if (name === 'relu') return Math.max(0, v);
  return v;
}

/** Lookup table q_next = quantize(f((q − z)·s)) for every code q of the pre-activation grid. */
function activationTable(pre: QuantParams, next: QuantParams, f: WeightLayer['activation']) {
  const real = Float32Array.from({ length: pre.qmax - pre.qmin + 1 }, (_, i) => {
    return unitActivation(f, (pre.qmin + i - pre.zeroPoint[0]!) * pre.scale[0]!);
  });
  return quantize(real, next);
}

/** Bias codes q_b[c] = round(b[c] / (s_x · s_w[c])) without the int32 clamp. */
function exactBias(
  bias: Float32Array,
  inputScale: number,
  weightScale: Float32Array,
): Float64Array {
  return Float64Array.from(bias, (b, c) => {
    return roundHalfEven(
      b / (inputScale * (weightScale.length === 1 ? weightScale[0]! : weightScale[c]!)),
    );
  });
}

/**
 * Converts plain layers with quantized kernels and calibrated ranges to an integer model.
 * `inputRanges` holds every weight layer's input range; `preRanges` the pre-activation range of
 * hidden tanh / sigmoid layers.
 */
export function buildIntegerModel(
  layers: readonly NamedLayer[],
  kernels: ReadonlyMap<string, QuantizedKernel>,
  inputRanges: ReadonlyMap<string, Range>,
  preRanges: ReadonlyMap<string, Range>,
  activationBits: number,
  inputShape: readonly number[],
): IntegerModel {
  const weightLayers = layers.filter(isWeightLayer);
  const lastLayer = layers[layers.length - 1];
  if (!lastLayer || lastLayer.kind !== 'dense') {
    throw new RangeError('The integer model needs a network that ends with a dense layer.');
  }
  const gridOf = (layer: WeightLayer): QuantParams => {
    const range = inputRanges.get(layer.name);
    if (!range) throw new RangeError(`Layer ${layer.name} has no calibrated input range.`);
    return activationParams(range, activationBits);
  };
  const ops: IntegerOp[] = [];
  let bits = 0;
  for (const layer of layers) {
    if (!isWeightLayer(layer)) {
      ops.push({ kind: layer.kind });
      continue;
    }
    const index = weightLayers.indexOf(layer);
    const next = weightLayers[index + 1];
    const kernel = kernels.get(layer.name);
    if (!kernel) throw new RangeError(`Layer ${layer.name} has no quantized kernel.`);
    const inputParams = gridOf(layer);
    const table =
      next !== undefined && (layer.activation === 'tanh' || layer.activation === 'sigmoid');
    let outputParams = next ? gridOf(next) : inputParams; // the last layer has no output grid
    let lut: Int32Array | null = null;
    if (table) {
      const range = preRanges.get(layer.name);
      if (!range) throw new RangeError(`Layer ${layer.name} has no pre-activation range.`);
      const pre = activationParams(range, LUT_BITS);
      lut = activationTable(pre, outputParams, layer.activation);
      outputParams = pre;
    }
    const integerLayer: IntegerLayer = {
      kernel: kernel.codes,
      kernelShape: [...layer.kernelShape],
      weightParams: kernel.params,
      bias: quantizeBias(layer.bias, inputParams.scale[0]!, kernel.params.scale),
      inputParams,
      outputParams,
      relu: layer.activation === 'relu' && !table,
    };
    const wide = exactBias(layer.bias, inputParams.scale[0]!, kernel.params.scale);
    if (wide.some((b) => Math.abs(b) > 2 ** 31 - 1)) integerLayer.wideBias = wide;
    bits = Math.max(bits, accumulatorBits(integerLayer));
    ops.push({
      kind: layer.kind,
      name: layer.name,
      layer: integerLayer,
      centred: centredKernel(integerLayer),
      lut,
      last: !next,
      activation: layer.activation,
    });
  }
  return {
    inputShape: [...inputShape],
    inputParams: gridOf(weightLayers[0]!),
    ops,
    outputSize: lastLayer.kernelShape[lastLayer.kernelShape.length - 1]!,
    accumulatorBits: bits,
  };
}

/**
 * The activation grids the integer model keeps, for its size: each weight layer's input grid
 * (the first is also the model's input grid) and each lookup table's 16-bit pre-activation grid,
 * 8 B each (fp32 scale + int32 zero point, see measure/size). The last layer has no output grid.
 */
export function activationGridStorage(model: IntegerModel): TensorSizeSpec[] {
  const out: TensorSizeSpec[] = [];
  const grid = (name: string, params: QuantParams): TensorSizeSpec => ({
    name,
    shape: [0],
    bits: params.bits,
    scaleCount: params.scale.length,
    activationGrid: true,
  });
  for (const op of model.ops) {
    if (op.kind !== 'dense' && op.kind !== 'conv') continue;
    out.push(grid(`${op.name}/input_grid`, op.layer.inputParams));
    if (op.lut) out.push(grid(`${op.name}/pre_activation_grid`, op.layer.outputParams));
  }
  return out;
}

/** Runs the integer model on a float batch x (row-major [batch, …inputShape]); returns logits. */
export function runIntegerModel(model: IntegerModel, x: Float32Array, batch: number): Float32Array {
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  checkBatchInput(x, batch, features);
  let codes = quantize(x, model.inputParams);
  let shape: number[] = [batch, ...model.inputShape];
  for (const op of model.ops) {
    if (op.kind === 'flatten') {
      shape = [batch, codes.length / batch];
      continue;
    }
    if (op.kind === 'maxpool') {
      ({ values: codes, shape } = maxPoolCodes(codes, shape));
      continue;
    }
    const outC = op.layer.kernelShape[op.layer.kernelShape.length - 1]!;
    let acc: Float64Array;
    if (op.kind === 'dense') {
      acc = denseAccumulators(codes, op.layer, op.centred);
      shape = [...shape.slice(0, -1), outC];
    } else {
      ({ values: acc, shape } = convAccumulators(codes, shape, op.layer, op.centred));
    }
    if (op.last) {
      const y = dequantizeAccumulators(acc, op.layer);
      return op.activation === 'linear' || !op.activation
        ? y
        : y.map((v) => unitActivation(op.activation, v));
    }
    codes = requantizeAccumulators(acc, op.layer);
    if (op.lut) {
      const { lut } = op;
      const qmin = op.layer.outputParams.qmin;
      codes = codes.map((q) => lut[q - qmin]!);
    }
  }
  throw new RangeError('The integer model has no output layer.');
}

/** predict for a ModelHandle: reads x, runs the integer path in JS, returns logits [batch, C]. */
export function integerPredict(model: IntegerModel): (x: tf.Tensor) => tf.Tensor {
  return (x) => {
    const batch = x.shape[0] ?? 0;
    const logits = runIntegerModel(model, x.dataSync() as Float32Array, batch);
    return tf.tensor2d(logits, [batch, model.outputSize]);
  };
}
