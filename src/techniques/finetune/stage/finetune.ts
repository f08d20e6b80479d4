import type * as tf from '@tensorflow/tfjs';
import type { TrainingSpec } from '../../../experiment/schema';
import type { FinetuneParams } from '../spec';
import type { TensorSizeSpec } from '../../../engine/measure/size';
import { trainModel } from '../../../engine/train/loop';
import { cloneModel } from '../../../engine/network/handle';
import { extractLayers } from '../../../engine/network/layer-ir';
import { layerMacs, nonZeroCount } from '../../../engine/network/layers';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/**
 * The finetune stage: a copy of the input model trained further with the same loop as the teacher.
 * Masked (pruned) and fake-quant (QAT) layers keep working, since the copy keeps their classes and
 * masks. From a fresh student it trains the student alone: the fair baseline of distillation.
 */

/** Training settings of every stage that trains: Adam(lr), batch 128 for images else 32. */
export function stageTraining(
  epochs: number,
  learningRate: number,
  inputShape: readonly number[],
): TrainingSpec {
  const batchSize = inputShape.length === 3 ? 128 : 32;
  return { optimizer: 'adam', learningRate, momentum: 0.9, batchSize, epochs };
}

/**
 * Trains a stage's model on labels for `epochs` epochs with Adam(learningRate) under the stage's
 * seed, cancel control and live steps: θ ← Adam(θ, ∇θ CE(f(x), y)).
 */
export async function trainStageModel(
  ctx: StageContext,
  model: tf.LayersModel,
  epochs: number,
  learningRate: number,
  evaluateEachEpoch = true,
): Promise<void> {
  await trainModel({
    model,
    data: ctx.data,
    training: stageTraining(epochs, learningRate, ctx.data.inputShape),
    seed: ctx.seed,
    control: ctx.control,
    onStep: ctx.onStep,
    evaluateEachEpoch,
  });
}

/**
 * Throws a StageError when the input runs through its own converted model (PTQ / converted QAT):
 * training the float weights would not change what that converted model computes.
 */
export function checkTrainableInput(input: ModelHandle, stage: string): void {
  if (input.predict) {
    throw new StageError(
      `${stage} trains float weights, but this input runs as a converted quantized model that ` +
        `would not see the change: put ${stage.toLowerCase()} before the quantization stage.`,
    );
  }
}

/** Distinct non-zero values of a kernel: #{w ≠ 0} as a set. */
function distinctNonZeros(values: Float32Array): number {
  const seen = new Set<number>();
  for (const w of values) if (w !== 0) seen.add(w);
  return seen.size;
}

/**
 * Storage and MACs of a trained copy of `input`: the same tensors at the same bits, with non-zero
 * counts and effective MACs read again from the trained weights (masked zeros stay zero). A shared
 * kernel (codebook of k) whose trained weights hold more than k distinct values no longer fits its
 * codebook: it ships as fp32 again.
 */
export function retrainedCosts(
  input: ModelHandle,
  model: tf.LayersModel,
  inputShape: readonly number[],
): { storage: TensorSizeSpec[]; macs: number; effectiveMacs: number } {
  let layers;
  try {
    layers = extractLayers(model);
  } catch {
    return { storage: input.storage, macs: input.macs, effectiveMacs: input.effectiveMacs };
  }
  const kernels = new Map<string, Float32Array>();
  for (const layer of layers) {
    if (layer.kind === 'dense' || layer.kind === 'conv') {
      kernels.set(`${layer.name}/kernel`, layer.kernel);
    }
  }
  const storage = input.storage.map((spec): TensorSizeSpec => {
    const kernel = kernels.get(spec.name);
    if (kernel === undefined) return spec;
    let out = spec;
    if (spec.codebook !== undefined && distinctNonZeros(kernel) > spec.codebook) {
      const { codebook: _codebook, ...rest } = spec;
      out = { ...rest, bits: 32 };
    }
    return out.nonZeros === undefined ? out : { ...out, nonZeros: nonZeroCount(kernel) };
  });
  return { storage, ...layerMacs(layers, inputShape) };
}

/** Pipeline chip text: 'train 3 ep' from a fresh student, else 'fine-tune 2 ep'. */
export function finetuneLabel(input: ModelHandle, epochs: number): string {
  return `${input.label === 'student' ? 'train' : 'fine-tune'} ${epochs} ep`;
}

/** Runs the finetune stage: clone, train `epochs` epochs with Adam(learningRate), same costs. */
export async function runFinetune(
  ctx: StageContext,
  input: ModelHandle,
  params: FinetuneParams,
): Promise<ModelHandle> {
  checkTrainableInput(input, 'Fine-tuning');
  const model = await cloneModel(input.model);
  try {
    if (params.epochs > 0) await trainStageModel(ctx, model, params.epochs, params.learningRate);
  } catch (error) {
    model.dispose();
    throw error;
  }
  const untrained = params.epochs === 0 ? ['0 epochs: the model was not trained'] : [];
  return {
    model,
    ...retrainedCosts(input, model, ctx.data.inputShape),
    notes: [...input.notes, ...untrained],
    label: finetuneLabel(input, params.epochs),
  };
}

/** The stage's run, loaded by the technique spec. */
export const run = runFinetune;
