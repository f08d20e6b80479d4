/**
 * Dynamic quantization, as PyTorch's `quantize_dynamic` does it: weights are stored as integer
 * codes; at inference every dense / conv input is quantized on the fly with a grid computed from
 * that batch, s_x = (max(0, max x) − min(0, min x)) / (2^b − 1) and z_x from the same range, the
 * layer accumulates exactly in integers, acc = Σ (q_x − z_x)(q_w − z_w), and the output is
 * dequantized, y = f(s_x · s_w[c] · acc + b[c]) with the bias and activation in float. No
 * calibration set is needed; the price is a min/max pass over every input at run time, and a
 * prediction depends a little on what else is in its batch (the grid is the batch's).
 */
import { checkBatchInput } from '../../engine/network/layers';
import type { QuantizedKernel } from './weights';
import type { QuantParams } from './quantizer';
import { quantParamsFromRange, quantize } from './quantizer';
import type { IntegerLayer } from './integer-kernels';
import {
  centredKernel,
  convAccumulators,
  denseAccumulators,
  dequantizeAccumulators,
  maxPoolCodes,
} from './integer-kernels';
import type { NamedLayer, UnitActivation } from '../../engine/network/layers';

export interface DynamicWeightOp {
  kind: 'dense' | 'conv';
  name: string;
  /** The integer layer; its input grid is replaced per batch, its int bias is zero. */
  layer: IntegerLayer;
  /** q_w − z_w, computed once. */
  centred: Float64Array;
  /** Float bias, added after dequantization. */
  bias: Float32Array;
  activation: UnitActivation;
}

export type DynamicOp =
  DynamicWeightOp | { kind: 'maxpool'; name: string } | { kind: 'flatten'; name: string };

/** A model that quantizes its activations per batch at `activationBits`. */
export interface DynamicModel {
  ops: DynamicOp[];
  inputShape: number[];
  activationBits: number;
  outputSize: number;
}

/** The asymmetric per-tensor grid of a batch: range [min(0, min x), max(0, max x)] over `bits`. */
export function batchGrid(x: Float32Array, bits: number): QuantParams {
  let min = 0;
  let max = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < min) min = v;
    else if (v > max) max = v;
  }
  return quantParamsFromRange([min], [max], { bits, scheme: 'asymmetric' });
}

/** Builds the dynamic model from plain layers and each weight layer's quantized kernel. */
export function buildDynamicModel(
  layers: readonly NamedLayer[],
  kernels: ReadonlyMap<string, QuantizedKernel>,
  activationBits: number,
  inputShape: readonly number[],
): DynamicModel {
  let outputSize = 0;
  const ops = layers.map((layer): DynamicOp => {
    if (layer.kind === 'maxpool' || layer.kind === 'flatten') {
      return layer.kind === 'maxpool'
        ? { kind: 'maxpool', name: layer.name }
        : { kind: 'flatten', name: layer.name };
    }
    const q = kernels.get(layer.name);
    if (!q) throw new RangeError(`Layer ${layer.name} has no quantized kernel.`);
    const outC = layer.kernelShape[layer.kernelShape.length - 1]!;
    outputSize = outC;
    const placeholder = quantParamsFromRange([0], [1], {
      bits: activationBits,
      scheme: 'asymmetric',
    });
    const integer: IntegerLayer = {
      kernel: q.codes,
      kernelShape: [...layer.kernelShape],
      weightParams: q.params,
      bias: new Int32Array(outC),
      inputParams: placeholder,
      outputParams: placeholder,
      relu: false,
    };
    return {
      kind: layer.kind,
      name: layer.name,
      layer: integer,
      centred: centredKernel(integer),
      bias: Float32Array.from(layer.bias),
      activation: layer.activation ?? 'linear',
    };
  });
  return { ops, inputShape: [...inputShape], activationBits, outputSize };
}

/** f(v) of a unit activation. */
export function activateUnit(f: UnitActivation, v: number): number {
  if (f === 'relu') return v > 0 ? v : 0;
  if (f === 'tanh') return Math.tanh(v);
  if (f === 'sigmoid') return 1 / (1 + Math.exp(-v));
  return v;
}

/**
 * Runs the dynamic model on a float batch x (row-major [batch, …inputShape]): per weight layer,
 * grid from this batch, q_x = clamp(round(x/s_x) + z_x), exact integer accumulation, then
 * y = f(s_x·s_w[c]·acc + b[c]). Returns the logits [batch, outputSize].
 */
export function runDynamicModel(model: DynamicModel, x: Float32Array, batch: number): Float32Array {
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  checkBatchInput(x, batch, features);
  let values = x;
  let shape: number[] = [batch, ...model.inputShape];
  for (const op of model.ops) {
    if (op.kind === 'flatten') {
      shape = [batch, values.length / Math.max(1, batch)];
      continue;
    }
    if (op.kind === 'maxpool') {
      ({ values, shape } = maxPoolCodes(values, shape));
      continue;
    }
    const grid = batchGrid(values, model.activationBits);
    const layer: IntegerLayer = { ...op.layer, inputParams: grid };
    const codes = quantize(values, grid);
    const outC = op.bias.length;
    let acc: Float64Array;
    if (op.kind === 'dense') {
      acc = denseAccumulators(codes, layer, op.centred);
      shape = [...shape.slice(0, -1), outC];
    } else {
      ({ values: acc, shape } = convAccumulators(codes, shape, layer, op.centred));
    }
    const y = dequantizeAccumulators(acc, layer);
    for (let i = 0, c = 0; i < y.length; i++, c = c + 1 === outC ? 0 : c + 1) {
      y[i] = activateUnit(op.activation, y[i]! + op.bias[c]!);
    }
    values = y;
  }
  return values;
}
