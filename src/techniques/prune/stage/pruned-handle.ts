import type * as tf from '@tensorflow/tfjs';
import type { PruneParams } from '../spec';
import type { TensorSizeSpec } from '../../../engine/measure/size';
import { pruneBatchSize } from '../schedule-plan';
import { isWeightLayer, layerMacs, nonZeroCount } from '../../../engine/network/layers';
import { trainModel } from '../../../engine/train/loop';
import type { NamedLayer } from '../../../engine/network/layers';
import type { StageContext } from '../../../engine/network/stage-types';

/** Batch size of fine-tuning: 128 for images (rank-3 input), else 32 (one rule, in the plan). */
export const finetuneBatchSize = pruneBatchSize;

/**
 * Storage of pruned plain layers: each kernel fp32 with nonZeros = its non-zero count (size.ts
 * picks the smallest of dense / bitmask / CSR), each bias fp32 dense.
 */
export function prunedStorage(layers: readonly NamedLayer[]): TensorSizeSpec[] {
  const out: TensorSizeSpec[] = [];
  for (const layer of layers.filter(isWeightLayer)) {
    out.push(
      {
        name: `${layer.name}/kernel`,
        shape: [...layer.kernelShape],
        bits: 32,
        nonZeros: nonZeroCount(layer.kernel),
      },
      { name: `${layer.name}/bias`, shape: [layer.bias.length], bits: 32 },
    );
  }
  return out;
}

/** Storage, MACs and effective MACs (dense MACs × non-zero fraction, per layer) of plain layers. */
export function prunedCosts(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
): { storage: TensorSizeSpec[]; macs: number; effectiveMacs: number } {
  return { storage: prunedStorage(layers), ...layerMacs(layers, inputShape) };
}

/**
 * Fine-tunes `model` for params.finetuneEpochs (Adam, params.learningRate), reporting steps shifted
 * by `offset` (epoch and step) so several rounds draw one continuous curve of `totalSteps` steps.
 */
export async function finetune(
  ctx: StageContext,
  model: tf.LayersModel,
  params: PruneParams,
  options: {
    beforeStep?: (step: number, totalSteps: number) => void | Promise<void>;
    offset?: { epoch: number; step: number; totalSteps: number };
  } = {},
): Promise<void> {
  if (params.finetuneEpochs === 0) return;
  const { offset } = options;
  await trainModel({
    model,
    data: ctx.data,
    training: {
      optimizer: 'adam',
      learningRate: params.learningRate,
      momentum: 0.9,
      batchSize: finetuneBatchSize(ctx.data.inputShape),
      epochs: params.finetuneEpochs,
    },
    seed: ctx.seed,
    control: ctx.control,
    beforeStep: options.beforeStep,
    onStep: offset
      ? (record) =>
          ctx.onStep({
            ...record,
            epoch: record.epoch + offset.epoch,
            step: record.step + offset.step,
            totalSteps: offset.totalSteps,
          })
      : ctx.onStep,
  });
}
