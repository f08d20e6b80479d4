/**
 * Dynamic quantization on our int8 wasm engine: each weight layer is a one-layer engine model
 * whose input grid is set from every batch before it runs (i8_set_input_grid), so the integer
 * accumulation runs in SIMD while the per-batch min/max, the float bias, the activation and
 * pooling stay in JavaScript. The results equal runDynamicModel (techniques/quantize/dynamic.ts)
 * bit for bit: the same f64 quantization, exact int32 accumulators, the same dequantization.
 */
import { checkBatchInput } from '../network/layers';
import type { DynamicModel, DynamicWeightOp } from '../../techniques/quantize/dynamic';
import { activateUnit, batchGrid } from '../../techniques/quantize/dynamic';
import { accumulatorBits, maxPoolCodes } from '../../techniques/quantize/integer-kernels';
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { QuantParams } from '../../techniques/quantize/quantizer';
import type { KernelEngine, KernelPath } from './engine';
import { isFallback, loadEngine } from './engine';
import type { Int8Fallback, Int8Handle } from './int8-model';
import { prepareInt8Model, runInt8 } from './int8-model';

type Step =
  | { kind: 'weight'; op: DynamicWeightOp; handle: Int8Handle }
  | { kind: 'maxpool'; shape: number[] }
  | { kind: 'flatten' };

/** The dynamic model prepared on the engine: run(x, batch) gives the logits. */
export interface DynamicEngine {
  run(x: Float32Array, batch: number): Float32Array;
  path: KernelPath;
}

/** A one-layer integer model of `op` whose input grid is a placeholder [0, 2^b − 1], z = 0. */
function oneLayerModel(op: DynamicWeightOp, inputShape: number[], bits: number): IntegerModel {
  const unit: QuantParams = {
    scale: Float32Array.of(1),
    zeroPoint: Int32Array.of(0),
    qmin: 0,
    qmax: 2 ** bits - 1,
    bits,
    axis: null,
  };
  const outC = op.bias.length;
  const layer = { ...op.layer, bias: new Int32Array(outC), inputParams: unit, outputParams: unit };
  const ks = layer.kernelShape;
  const outputSize =
    op.kind === 'dense'
      ? outC
      : (inputShape[0]! - ks[0]! + 1) * (inputShape[1]! - ks[1]! + 1) * outC;
  return {
    inputShape,
    inputParams: unit,
    ops: [
      {
        kind: op.kind,
        name: op.name,
        layer,
        centred: op.centred,
        lut: null,
        last: true,
        activation: 'linear',
      },
    ],
    outputSize,
    accumulatorBits: accumulatorBits(layer),
  };
}

/** Prepares every weight layer on the engine, or says why the model cannot run there. */
export async function prepareDynamicEngine(
  model: DynamicModel,
  engine?: KernelEngine,
): Promise<DynamicEngine | Int8Fallback> {
  if (model.activationBits > 8) {
    return {
      fallback: 'activations-too-wide',
      detail: `${model.activationBits}-bit activation codes need more than 8 bits`,
    };
  }
  const loaded = engine ?? (await loadEngine());
  if (isFallback(loaded)) return loaded;
  const steps: Step[] = [];
  let shape = [...model.inputShape];
  for (const op of model.ops) {
    if (op.kind === 'flatten') {
      steps.push({ kind: 'flatten' });
      shape = [shape.reduce((a, b) => a * b, 1)];
      continue;
    }
    if (op.kind === 'maxpool') {
      steps.push({ kind: 'maxpool', shape });
      shape = [Math.floor(shape[0]! / 2), Math.floor(shape[1]! / 2), shape[2]!];
      continue;
    }
    const handle = await prepareInt8Model(oneLayerModel(op, shape, model.activationBits), {
      engine: loaded,
      kernel: 'auto',
    });
    if (isFallback(handle)) return handle;
    steps.push({ kind: 'weight', op, handle });
    const ks = op.layer.kernelShape;
    const outC = op.bias.length;
    shape = op.kind === 'dense' ? [outC] : [shape[0]! - ks[0]! + 1, shape[1]! - ks[1]! + 1, outC];
  }
  const bits = model.activationBits;
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  return {
    path: loaded.path,
    run(x, batch) {
      checkBatchInput(x, batch, features);
      let values = x;
      for (const step of steps) {
        if (step.kind === 'flatten') continue;
        if (step.kind === 'maxpool') {
          values = maxPoolCodes(values, [batch, ...step.shape]).values;
          continue;
        }
        const grid = batchGrid(values, bits);
        if (!step.handle.exports.i8_set_input_grid(grid.scale[0]!, grid.zeroPoint[0]!)) {
          throw new Error(`The int8 engine refused the input grid of ${step.op.name}.`);
        }
        const y = runInt8(step.handle, values, batch);
        const { bias, activation } = step.op;
        const outC = bias.length;
        for (let i = 0, c = 0; i < y.length; i++, c = c + 1 === outC ? 0 : c + 1) {
          y[i] = activateUnit(activation, y[i]! + bias[c]!);
        }
        values = y;
      }
      return values;
    },
  };
}
