import * as tf from '@tensorflow/tfjs';
import type { PruneParams } from '../spec';
import type { DataSplit } from '../../../engine/data/types';
import { removeUnits, unitScores, unitsToPrune } from '../structured';
import { createRng, shuffledIndices } from '../../../engine/rng';
import { makeBatch } from '../../../engine/train/batches';
import { readTaps } from '../../../engine/backends/cpu-mirror';
import type { WeightLayer } from '../../../engine/network/layers';
import { finetune } from './pruned-handle';
import { isWeightLayer } from '../../../engine/network/layers';
import { roundSparsities, stepsPerEpoch } from './magnitude-stage';
import type { NamedLayer } from '../../../engine/network/layers';
import { buildFromLayers, extractLayers } from '../../../engine/network/layer-ir';
import type { StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/**
 * Structured pruning: whole conv filters and dense units leave every hidden layer, and the next
 * layer loses the matching inputs, so the rebuilt plain model is physically smaller. The output
 * (logits) layer keeps all its units: they are the classes.
 */

/** Training examples whose activations rank units for the 'activation' criterion. */
export const ACTIVATION_SAMPLES = 128;

/** Units to remove from one hidden layer (indices of its outputs, ascending). */
export interface UnitRemoval {
  index: number;
  name: string;
  units: number[];
}

function unitCount(layer: WeightLayer): number {
  return layer.kernelShape[layer.kernelShape.length - 1]!;
}

/** Positions of the hidden dense/conv layers: every weight layer but the last (logits). */
export function hiddenLayerIndices(layers: readonly NamedLayer[]): number[] {
  const weights = layers.flatMap((l, i) => (isWeightLayer(l) ? [i] : []));
  return weights.slice(0, -1);
}

/**
 * Post-activation outputs of every weight layer on the first ACTIVATION_SAMPLES examples of a
 * seeded shuffle of `split`, as [samples·positions, units] row-major, keyed by layer name.
 */
export async function layerActivations(
  layers: readonly NamedLayer[],
  inputShape: number[],
  split: DataSplit,
  seed: number,
): Promise<Map<string, Float32Array>> {
  const model = buildFromLayers(layers, inputShape);
  const count = Math.min(ACTIVATION_SAMPLES, split.count);
  const order = shuffledIndices(split.count, createRng(seed));
  const { x, labels } = makeBatch(split, inputShape, order, 0, count);
  try {
    const taps = await readTaps((tap) => {
      let h: tf.Tensor = x;
      for (const layer of model.layers) {
        h = layer.apply(h) as tf.Tensor;
        const cls = layer.getClassName();
        if (cls === 'Dense' || cls === 'Conv2D') tap(layer.name, h);
      }
    });
    return new Map([...taps].map(([name, t]) => [name, t.values]));
  } finally {
    tf.dispose([x, labels]);
    model.dispose();
  }
}

/**
 * For each hidden layer j, the counts[j] units with the lowest score (l1 = Σ|w|, l2 = √Σw² of the
 * unit's kernel column, activation = mean |a| over `activations`); ties remove the lower index.
 */
export function planRemovals(
  layers: readonly NamedLayer[],
  counts: readonly number[],
  criterion: PruneParams['criterion'],
  activations?: ReadonlyMap<string, Float32Array>,
): UnitRemoval[] {
  return hiddenLayerIndices(layers).map((index, j) => {
    const layer = layers[index] as WeightLayer;
    const count = counts[j] ?? 0;
    if (count === 0) return { index, name: layer.name, units: [] };
    const scores =
      criterion === 'activation'
        ? unitScores(layer, 'meanActivation', activations?.get(layer.name))
        : unitScores(layer, criterion);
    return { index, name: layer.name, units: unitsToPrune(scores, count / unitCount(layer)) };
  });
}

/** Applies removals in order (each shrinks its layer and the next layer's inputs); names kept. */
export function applyRemovals(
  layers: readonly NamedLayer[],
  removals: readonly UnitRemoval[],
): NamedLayer[] {
  let out = [...layers];
  for (const { index, units } of removals) {
    if (units.length === 0) continue;
    const before = out;
    out = removeUnits(before, index, units).map((l, i) => ({ ...l, name: before[i]!.name }));
  }
  return out;
}

/** Units each hidden layer keeps: nᵢ − round(s·nᵢ); a StageError when that leaves none. */
export function keptUnits(layers: readonly NamedLayer[], sparsity: number): number[] {
  const hidden = hiddenLayerIndices(layers);
  if (hidden.length === 0) {
    throw new StageError(
      'Structured pruning removes hidden units, but this model has no hidden layer (only the ' +
        'output layer, whose units are the classes). Use magnitude or N:M pruning instead.',
    );
  }
  return hidden.map((index) => {
    const layer = layers[index] as WeightLayer;
    const n = unitCount(layer);
    const kept = n - Math.round(sparsity * n);
    if (kept < 1) {
      throw new StageError(
        `Removing ${Math.round(sparsity * 100)}% of the ${n} units of ${layer.name} would remove ` +
          'all of them and disconnect the network: lower the sparsity or widen the layer.',
      );
    }
    return kept;
  });
}

/**
 * Structured pruning on the schedule: one-shot removes round(s·nᵢ) units of every hidden layer
 * then fine-tunes; iterative does K rounds, each down to nᵢ − round(s_k·nᵢ) units then fine-tune.
 * Returns the smaller plain model.
 */
export async function pruneStructured(
  ctx: StageContext,
  input: readonly NamedLayer[],
  params: PruneParams,
): Promise<tf.Sequential> {
  keptUnits(input, params.sparsity);
  const original = hiddenLayerIndices(input).map((i) => unitCount(input[i] as WeightLayer));
  const targets =
    params.schedule === 'iterative'
      ? roundSparsities(params.sparsity, params.rounds)
      : [params.sparsity];
  const perRound = stepsPerEpoch(ctx) * params.finetuneEpochs;
  const { inputShape } = ctx.data;
  let layers: readonly NamedLayer[] = input;
  let model: tf.Sequential | null = null;
  try {
    for (let k = 0; k < targets.length; k++) {
      await ctx.control.checkpoint();
      const s = targets[k]!;
      const counts = hiddenLayerIndices(layers).map((index, j) => {
        const current = unitCount(layers[index] as WeightLayer);
        return current - (original[j]! - Math.round(s * original[j]!));
      });
      const activations =
        params.criterion === 'activation'
          ? await layerActivations(layers, inputShape, ctx.data.train, ctx.seed)
          : undefined;
      const pruned = applyRemovals(
        layers,
        planRemovals(layers, counts, params.criterion, activations),
      );
      const next = buildFromLayers(pruned, inputShape);
      model?.dispose();
      model = next;
      await finetune(ctx, model, params, {
        offset: {
          epoch: k * params.finetuneEpochs,
          step: k * perRound,
          totalSteps: targets.length * perRound,
        },
      });
      layers = k + 1 < targets.length ? extractLayers(model) : pruned;
    }
  } catch (error) {
    model?.dispose();
    throw error;
  }
  if (model === null) throw new Error('Structured pruning ran no round.');
  return model;
}
