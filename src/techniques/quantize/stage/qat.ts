/**
 * The QAT stage: quantization-aware training. The model is rebuilt with fake-quant layers
 * (weights: symmetric, or asymmetric with integer zero points; min/max or learned LSQ / LSQ+
 * grids; straight-through estimator; activations: an EMA range before every dense / conv
 * input), fine-tuned from the input model (or trained from scratch) with trainModel, then
 * converted like static PTQ to an integer model whose predict is the handle's predict. The
 * input handle and its model are only read.
 */
import type * as tf from '@tensorflow/tfjs';
import type { QatParams } from '../spec';
import { qatSummary } from '../spec';
import { trainModel } from '../../../engine/train/loop';
import { layerMacs } from '../../../engine/network/layers';
import { calibrateRanges, needsPreActivationRange } from './calibrate';
import {
  checkBits,
  checkLayerBits,
  checkTraining,
  convertToInteger,
  mixedPrecisionNotes,
  readLayers,
} from './convert';
import { activationGridStorage } from './integer-model';
import { buildQatModel, inputRangesOf, qatQuantizedLayers, setInputRanges } from './qat-model';
import { quantizedStorage } from '../weights';
import { isWeightLayer } from '../../../engine/network/layers';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';
import { KernelLayer } from '../../../engine/network/kernel-layer';
import { mirrorWeights } from '../../../engine/backends/cpu-mirror';

/** Training examples that set the first activation ranges (and tanh / sigmoid LUT ranges). */
export const QAT_CALIBRATION_SIZE = 256;

/** Throws a StageError a student can act on unless the params make sense. */
export function checkQatParams(params: QatParams): void {
  checkBits(params.weightBits, 'Weight bits');
  checkLayerBits(params.layerBits);
  checkBits(params.activationBits, 'Activation bits');
  checkTraining(params.epochs, params.learningRate);
  if (params.scheme !== 'symmetric' && params.scheme !== 'asymmetric') {
    throw new StageError(
      `The weight scheme must be symmetric or asymmetric, got '${String(params.scheme)}'.`,
    );
  }
}

/** Runs the QAT stage: builds, trains and converts; returns a new handle. */
export async function runQat(
  ctx: StageContext,
  input: ModelHandle | null,
  params: QatParams,
): Promise<ModelHandle> {
  if (!input?.model) throw new StageError('QAT needs a trained teacher: train the teacher first.');
  checkQatParams(params);
  if (!params.fromScratch && input.label === 'student') {
    throw new StageError(
      'QAT fine-tunes a trained model, but this student has not been trained yet: put a ' +
        'distill or fine-tune stage before QAT, or choose "from scratch".',
    );
  }
  if (ctx.data.train.count === 0) {
    throw new StageError('QAT trains on the training set, but the training set is empty.');
  }
  const inputShape = ctx.data.inputShape;
  const plain = readLayers(input.model, 'QAT');
  const model = buildQatModel(plain, inputShape, {
    weightBits: params.weightBits,
    ...(params.layerBits ? { layerBits: params.layerBits } : {}),
    activationBits: params.activationBits,
    perChannel: params.granularity === 'per-channel',
    scheme: params.scheme,
    learnedScale: params.learnedScale,
    fromScratch: params.fromScratch,
    seed: ctx.seed,
    // A pruned input keeps its zeros: QAT trains K ⊙ M, so sparsity survives the stage.
    keepMasks: input.model.layers.some((l) => l instanceof KernelLayer && l.masked),
  });
  try {
    // LSQ set its scales from the kernels on the backend: read them back before reading layers.
    await mirrorWeights(model);
    // First activation ranges from the starting weights; training then follows them by EMA.
    const start = await calibrateRanges(ctx, readLayers(model, 'QAT'), QAT_CALIBRATION_SIZE, {
      observer: 'minmax',
      emaMomentum: 0.9,
      percentile: 100,
    });
    setInputRanges(model, start.inputs);
    if (params.epochs > 0) {
      await trainModel({
        model,
        data: ctx.data,
        training: {
          optimizer: 'adam',
          learningRate: params.learningRate,
          momentum: 0.9,
          batchSize: inputShape.length === 3 ? 128 : 32,
          epochs: params.epochs,
        },
        seed: ctx.seed,
        control: ctx.control,
        onStep: ctx.onStep,
      });
    }
    const { layers, kernels } = await qatQuantizedLayers(model);
    const preActivations = layers.some(needsPreActivationRange)
      ? (
          await calibrateRanges(ctx, layers, QAT_CALIBRATION_SIZE, {
            observer: 'minmax',
            emaMomentum: 0.9,
            percentile: 100,
          })
        ).preActivations
      : new Map();
    const conversion = await convertToInteger(
      ctx,
      layers,
      kernels,
      { inputs: inputRangesOf(model), preActivations },
      params.activationBits,
      (x) => model.predict(x) as tf.Tensor,
    );
    const config = {
      bits: params.weightBits,
      ...(params.layerBits ? { layerBits: params.layerBits } : {}),
      scheme: params.scheme,
      perChannel: params.granularity === 'per-channel',
      powerOfTwo: false,
    };
    const asymmetric = params.scheme === 'asymmetric';
    const mixed = mixedPrecisionNotes(plain, params.layerBits, params.weightBits);
    const grids = params.learnedScale
      ? asymmetric
        ? 'learned LSQ+ scales and zero points'
        : 'learned LSQ scales'
      : 'min/max scales';
    return {
      model,
      storage: [
        ...quantizedStorage(layers.filter(isWeightLayer), config),
        ...activationGridStorage(conversion.integer),
      ],
      ...layerMacs(layers, inputShape),
      predict: conversion.predict,
      predictPath: conversion.path,
      integerModel: conversion.integer,
      weightCodes: kernels,
      notes: [
        ...conversion.notes,
        `trained ${params.epochs} epoch(s) with fake-quant ${mixed.length > 0 ? 'per-layer-bit' : `${params.weightBits}-bit`} ` +
          `${params.scheme} ${params.granularity} weights (${grids}) and activations before ` +
          'every dense/conv input, straight-through gradients',
        ...mixed,
      ],
      label: qatSummary(params),
    };
  } catch (error) {
    model.dispose();
    throw error;
  }
}

/** The stage's run, loaded by the technique spec. */
export const run = runQat;
