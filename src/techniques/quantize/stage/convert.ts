/**
 * Shared ends of the quantization stages: parameter checks with student-readable messages, and
 * the conversion to the integer model (its predict, its agreement with the fake-quant float
 * model on the test set, and the notes that go with it).
 */
import { int8TensorPath } from '../../../engine/kernels/paths';
import type * as tf from '@tensorflow/tfjs';
import type { NamedLayer } from '../../../engine/network/layers';
import { isWeightLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import type { CalibratedRanges } from './calibrate';
import type { IntegerModel } from './integer-model';
import { buildIntegerModel, integerPredict } from './integer-model';
import { predictionAgreement } from './fake-quant-model';
import type { QuantizedKernel } from '../weights';
import type { StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

export const DEQUANTIZED_NOTE = 'runs dequantized in float: tfjs has no int8 kernels';
export const INTEGER_PATH_NOTE =
  'accuracy and latency come from the converted integer model (integer codes, int32 ' +
  'accumulation, requantization), not from the fake-quant float model';

/** Throws a StageError unless bits is a whole number from 2 to 16. */
export function checkBits(bits: number, what: string): void {
  if (!Number.isInteger(bits) || bits < 2 || bits > 16) {
    throw new StageError(
      `${what} must be a whole number from 2 to 16, got ${String(bits)}. ` +
        'Try 8 (int8), or 4 to see where accuracy starts to drop.',
    );
  }
}

/** Throws a StageError unless every per-layer weight width (mixed precision) is 2–16 bits. */
export function checkLayerBits(layerBits: Readonly<Record<string, number>> | undefined): void {
  for (const [name, bits] of Object.entries(layerBits ?? {})) {
    checkBits(bits, `Weight bits of ${name}`);
  }
}

/**
 * Notes on mixed precision: each weight layer's bits ('weights per layer: conv1 8, dense1 4 bits'),
 * and the per-layer bits that name no layer of this model (ignored).
 */
export function mixedPrecisionNotes(
  layers: readonly NamedLayer[],
  layerBits: Readonly<Record<string, number>> | undefined,
  weightBits: number,
): string[] {
  const names = Object.keys(layerBits ?? {});
  if (names.length === 0) return [];
  const weightLayers = layers.filter(isWeightLayer);
  const known = new Set(weightLayers.map((l) => l.name));
  const each = weightLayers.map((l) => {
    const own = layerBits && Object.hasOwn(layerBits, l.name) ? layerBits[l.name]! : weightBits;
    return `${l.name} ${own}`;
  });
  const unknown = names.filter((n) => !known.has(n));
  return [
    `mixed precision, weight bits per layer: ${each.join(', ')}`,
    ...(unknown.length > 0
      ? [`per-layer bits for unknown layers ignored: ${unknown.join(', ')}`]
      : []),
  ];
}

/** Throws a StageError unless epochs is a whole number ≥ 0 and the learning rate is above 0. */
export function checkTraining(epochs: number, learningRate: number): void {
  if (!Number.isInteger(epochs) || epochs < 0) {
    throw new StageError(`Epochs must be a whole number ≥ 0, got ${epochs}.`);
  }
  if (!(Number.isFinite(learningRate) && learningRate > 0)) {
    throw new StageError(`The learning rate must be above 0, got ${learningRate}.`);
  }
}

/** Plain layers of a model, or a StageError saying which layer cannot be quantized. */
export function readLayers(model: tf.LayersModel, stage: string): NamedLayer[] {
  try {
    return extractLayers(model);
  } catch (error) {
    throw new StageError(
      `${stage} reads models made of dense, conv, max-pool and flatten layers only: ` +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Percentage with one decimal, e.g. 0.998 → '99.8%'. */
export function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Plain-language note on the accumulator width the integer model needs. */
export function accumulatorNote(bits: number): string {
  return bits <= 32
    ? `int32 accumulators suffice (worst case ${bits} bits)`
    : `the worst-case accumulator needs ${bits} bits: a real runtime would use int64 ` +
        '(this reference path accumulates exactly)';
}

export interface IntegerConversion {
  integer: IntegerModel;
  /** Logits of the integer path, for ModelHandle.predict. */
  predict: (x: tf.Tensor) => tf.Tensor;
  /** Which path `predict` runs, for the note. */
  path: string;
  /** Fraction of test examples where the integer path and the fake-quant model agree. */
  agreement: number;
  notes: string[];
}

/**
 * Converts quantized plain layers and calibrated ranges to the integer model and measures its
 * top-1 agreement with `reference` (the fake-quant float model) on the whole test split.
 */
export async function convertToInteger(
  ctx: StageContext,
  layers: readonly NamedLayer[],
  kernels: ReadonlyMap<string, QuantizedKernel>,
  ranges: CalibratedRanges,
  activationBits: number,
  reference: (x: tf.Tensor) => tf.Tensor,
): Promise<IntegerConversion> {
  let integer: IntegerModel;
  try {
    integer = buildIntegerModel(
      layers,
      kernels,
      ranges.inputs,
      ranges.preActivations,
      activationBits,
      ctx.data.inputShape,
    );
  } catch (error) {
    throw new StageError(
      `This model cannot be converted to an integer model: ${
        error instanceof Error ? error.message : String(error)
      }`,
    );
  }
  // Our int8 wasm engine when it can run the model (bit-exact with the reference path), else the
  // plain-JavaScript reference path, with the reason in the note.
  const engine = await int8TensorPath(integer);
  const fallback = 'reason' in engine ? engine.reason : null;
  const predict = 'reason' in engine ? integerPredict(integer) : engine.predict;
  const path =
    'reason' in engine
      ? `integer reference path (plain JavaScript, exact integer arithmetic; the int8 wasm engine could not run it: ${fallback})`
      : engine.path;
  const agreement = await predictionAgreement(
    predict,
    reference,
    ctx.data.test,
    ctx.data.inputShape,
    ctx,
  );
  const what = ctx.data.inputShape.length === 3 ? 'test images' : 'test examples';
  return {
    integer,
    predict,
    path,
    agreement,
    notes: [
      INTEGER_PATH_NOTE,
      `integer model agrees with fake-quant on ${percent(agreement)} of ${what}`,
      accumulatorNote(integer.accumulatorBits),
    ],
  };
}
