/**
 * The PTQ stage: post-training quantization of a trained model without training.
 * Weight-only: weights quantized (uniform or power-of-two, per tensor or per output channel), the
 * model computes in float with the dequantized weights ŵ, activations stay float32.
 * Dynamic: the same weight codes, and every layer input is quantized at run time on a grid from
 * its batch (dynamic.ts); the integer path is the handle's predict, the float ŵ model its model.
 * Static: also calibrates each dense / conv layer's input range on training examples (a forward
 * pass with the quantized weights, activations in float), builds the fake-quant float model
 * (handle.model), and converts to an integer model whose path is the handle's predict; its size
 * also counts the activation grids the integer model keeps. The input handle and its model are
 * only read.
 */
import * as tf from '@tensorflow/tfjs';
import type { PtqParams } from '../spec';
import { ptqSummary } from '../spec';
import { buildFromLayers } from '../../../engine/network/layer-ir';
import { layerMacs } from '../../../engine/network/layers';
import { calibrateRanges } from './calibrate';
import {
  DEQUANTIZED_NOTE,
  checkBits,
  checkLayerBits,
  convertToInteger,
  mixedPrecisionNotes,
  percent,
  readLayers,
} from './convert';
import { buildDynamicModel, runDynamicModel } from '../dynamic';
import type { DynamicModel } from '../dynamic';
import { predictionAgreement } from './fake-quant-model';
import { dynamicTensorPath } from '../../../engine/kernels/paths';
import { activationGridStorage } from './integer-model';
import { buildFakeQuantModel } from './fake-quant-model';
import type { WeightQuantConfig } from '../weights';
import { quantizeLayers, quantizedStorage } from '../weights';
import { isWeightLayer } from '../../../engine/network/layers';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/** Where dynamic PTQ's figures come from when our int8 engine cannot run it. */
export const DYNAMIC_JS_PATH =
  'dynamic int8 path (plain JavaScript: per-batch activation grids, exact integer accumulation)';

/** predict for a ModelHandle: reads x, runs the dynamic integer path, returns logits [batch, C]. */
function dynamicPredict(model: DynamicModel): (x: tf.Tensor) => tf.Tensor {
  return (x) => {
    const batch = x.shape[0] ?? 0;
    const logits = runDynamicModel(model, x.dataSync() as Float32Array, batch);
    return tf.tensor2d(logits, [batch, model.outputSize]);
  };
}

/** The weight quantizer of PTQ params. */
export function ptqWeightConfig(params: PtqParams): WeightQuantConfig {
  return {
    bits: params.weightBits,
    ...(params.layerBits ? { layerBits: params.layerBits } : {}),
    scheme: params.scheme,
    perChannel: params.granularity === 'per-channel',
    powerOfTwo: params.powerOfTwo,
  };
}

/** Throws a StageError a student can act on unless the params make sense. */
export function checkPtqParams(params: PtqParams): void {
  checkBits(params.weightBits, 'Weight bits');
  checkLayerBits(params.layerBits);
  if (params.mode === 'weight-only') return;
  checkBits(params.activationBits, 'Activation bits');
  if (params.mode === 'dynamic') return;
  if (!Number.isInteger(params.calibrationSize) || params.calibrationSize < 1) {
    throw new StageError(
      `Static quantization measures activation ranges on calibration examples: the calibration ` +
        `size must be a whole number ≥ 1, got ${params.calibrationSize}. Try 256.`,
    );
  }
  if (params.observer === 'percentile' && !(params.percentile > 0 && params.percentile <= 100)) {
    throw new StageError(
      `The percentile must be above 0 and at most 100, got ${params.percentile}.`,
    );
  }
  if (params.observer === 'ema' && !(params.emaMomentum >= 0 && params.emaMomentum < 1)) {
    throw new StageError(`EMA momentum must be in [0, 1), got ${params.emaMomentum}.`);
  }
}

/** Runs the PTQ stage: a new handle, storage at weightBits, predict = integer path when static. */
export async function runPtq(
  ctx: StageContext,
  input: ModelHandle,
  params: PtqParams,
): Promise<ModelHandle> {
  checkPtqParams(params);
  if (!input?.model) throw new StageError('PTQ needs a trained model: train the teacher first.');
  const config = ptqWeightConfig(params);
  const floatLayers = readLayers(input.model, 'PTQ');
  const { layers, kernels } = quantizeLayers(floatLayers, config);
  const inputShape = ctx.data.inputShape;
  const storage = quantizedStorage(layers.filter(isWeightLayer), config);
  const costs = layerMacs(layers, inputShape);
  const label = ptqSummary(params);
  const mixed = mixedPrecisionNotes(floatLayers, params.layerBits, params.weightBits);
  const width = mixed.length > 0 ? 'per-layer-bit' : `${params.weightBits}-bit`;
  const weightNotes = [
    params.powerOfTwo
      ? `weights are powers of two ±2^k (${width} sign + exponent codes)`
      : `weights ${width} ${params.scheme} ${params.granularity}`,
    ...mixed,
  ];
  if (params.mode === 'weight-only') {
    const model = buildFromLayers(layers, inputShape);
    const notes = [DEQUANTIZED_NOTE, ...weightNotes, 'activations stay float32 (weight-only mode)'];
    return { model, storage, ...costs, notes, label, floatLayers, weightCodes: kernels };
  }
  if (params.mode === 'dynamic') {
    const model = buildFromLayers(layers, inputShape);
    try {
      const dynamic = buildDynamicModel(layers, kernels, params.activationBits, inputShape);
      // Our int8 wasm engine (bit-exact with the JS path), else the JS path with the reason.
      const engine = await dynamicTensorPath(dynamic);
      const predict = 'reason' in engine ? dynamicPredict(dynamic) : engine.predict;
      const predictPath =
        'reason' in engine
          ? `${DYNAMIC_JS_PATH}; the int8 wasm engine could not run it: ${engine.reason}`
          : engine.path;
      const agreement = await predictionAgreement(
        predict,
        (x) => model.predict(x) as tf.Tensor,
        ctx.data.test,
        inputShape,
        ctx,
      );
      const notes = [
        ...weightNotes,
        `activations ${params.activationBits}-bit asymmetric per tensor, the grid computed from ` +
          'each batch at run time (no calibration); exact integer accumulation',
        `agrees with the weight-only float model on ${percent(agreement)} of the test split`,
      ];
      return {
        model,
        storage,
        ...costs,
        predict,
        predictPath,
        floatLayers,
        weightCodes: kernels,
        notes,
        label,
      };
    } catch (error) {
      model.dispose();
      throw error;
    }
  }
  if (ctx.data.train.count === 0) {
    throw new StageError(
      'Static PTQ calibrates on training examples, but the training set is empty.',
    );
  }
  const ranges = await calibrateRanges(ctx, layers, params.calibrationSize, params);
  const model = buildFakeQuantModel(layers, ranges.inputs, params.activationBits, inputShape);
  try {
    const conversion = await convertToInteger(
      ctx,
      layers,
      kernels,
      ranges,
      params.activationBits,
      (x) => model.predict(x) as tf.Tensor,
    );
    const calibrated = Math.min(params.calibrationSize, ctx.data.train.count);
    const observer =
      params.observer === 'percentile'
        ? `${params.percentile}th percentile`
        : params.observer === 'ema'
          ? `EMA of batch min/max, momentum ${params.emaMomentum}`
          : 'min/max';
    const notes = [
      ...conversion.notes,
      ...weightNotes,
      `activations ${params.activationBits}-bit asymmetric per tensor, ranges from ${observer} ` +
        `on ${calibrated} training examples`,
    ];
    return {
      model,
      storage: [...storage, ...activationGridStorage(conversion.integer)],
      ...costs,
      predict: conversion.predict,
      predictPath: conversion.path,
      integerModel: conversion.integer,
      floatLayers,
      weightCodes: kernels,
      notes,
      label,
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The stage's run, loaded by the technique spec. */
export const run = runPtq;
