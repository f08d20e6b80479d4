import type * as tf from '@tensorflow/tfjs';
import type { TrainingSpec } from '../../../experiment/schema';
import type { FinetuneParams } from '../spec';
import type { TensorSizeSpec } from '../../../engine/measure/size';
import { trainModel } from '../../../engine/train/loop';
import { cloneModel } from '../../../engine/network/handle';
import { extractLayers } from '../../../engine/network/layer-ir';
import { layerMacs } from '../../../engine/network/layers';
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

/**
 * Storage and MACs of a trained copy of `input`: the same tensors at the same bits, with non-zero
 * counts and effective MACs read again from the trained weights (masked zeros stay zero).
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
  const nonZeros = new Map<string, number>();
  for (const layer of layers) {
    if (layer.kind !== 'dense' && layer.kind !== 'conv') continue;
    let count = 0;
    for (const w of layer.kernel) if (w !== 0) count++;
    nonZeros.set(`${layer.name}/kernel`, count);
  }
  const storage = input.storage.map((spec) => {
    const count = nonZeros.get(spec.name);
    return spec.nonZeros === undefined || count === undefined ? spec : { ...spec, nonZeros: count };
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
    if (params.epochs > 0) {
      await trainModel({
        model,
        data: ctx.data,
        training: stageTraining(params.epochs, params.learningRate, ctx.data.inputShape),
        seed: ctx.seed,
        control: ctx.control,
        onStep: ctx.onStep,
      });
    }
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
