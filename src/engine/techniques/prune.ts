import type * as tf from '@tensorflow/tfjs';
import type { PruneParams } from '../../experiment/stages';
import { prunedCosts } from './prune-common';
import { pruneMasked, usesLayerSparsities } from './prune-masked';
import { pruneStructured } from './prune-structured';
import type { NamedLayer } from './plain';
import { extractLayers } from './plain';
import type { ModelHandle, StageContext, Technique } from './types';
import { StageError } from './types';

/**
 * The prune stage: unstructured magnitude (layer-wise or global), N:M, or structured (whole units)
 * pruning on a one-shot, iterative or gradual schedule, with fine-tuning through trainModel.
 * The input handle and its model are only read: the stage builds a new model.
 */

export const SPARSE_NOTE =
  'zeros skipped only in storage and effective MACs: tfjs runs dense kernels, so latency does not drop';
export const STRUCTURED_NOTE = 'speedup is real: the model is physically smaller';

const percent = (fraction: number) => `${Math.round(fraction * 100)}%`;

/** Throws a StageError a student can act on unless the params make sense together. */
export function checkPruneParams(params: PruneParams): void {
  const s = params.sparsity;
  if (params.kind !== 'nm' && !(Number.isFinite(s) && s >= 0 && s < 1)) {
    throw new StageError(
      `Sparsity is the fraction of weights removed, from 0 up to (not including) 1; got ${s}. ` +
        `${s >= 1 ? 'Removing every weight leaves no network. ' : ''}Try 0.5 to 0.9.`,
    );
  }
  for (const [name, t] of Object.entries(params.layerSparsities ?? {})) {
    if (!(Number.isFinite(t) && t >= 0 && t < 1)) {
      throw new StageError(
        `The sparsity of layer ${name} must be from 0 up to (not including) 1; got ${t}.`,
      );
    }
  }
  if (params.kind === 'nm') {
    const { n, m } = params;
    if (!Number.isInteger(n) || !Number.isInteger(m) || n < 1 || n > m) {
      throw new StageError(
        `N:M sparsity keeps N weights in every group of M, so N must be a whole number from 1 ` +
          `to M; got ${n}:${m}. Try 2:4.`,
      );
    }
    if (params.schedule !== 'one-shot') {
      throw new StageError(
        'N:M pruning fixes its pattern (N of every M weights) in one step: choose the one-shot ' +
          'schedule.',
      );
    }
  }
  if (params.kind === 'structured' && params.schedule === 'gradual') {
    throw new StageError(
      'Gradual pruning changes masks during training, but structured pruning removes whole ' +
        'units from the model: choose the one-shot or iterative schedule.',
    );
  }
  if (params.schedule === 'iterative' && !(Number.isInteger(params.rounds) && params.rounds >= 1)) {
    throw new StageError(
      `Iterative pruning needs a whole number of rounds ≥ 1; got ${params.rounds}.`,
    );
  }
  if (!(Number.isInteger(params.finetuneEpochs) && params.finetuneEpochs >= 0)) {
    throw new StageError(
      `Fine-tuning epochs must be a whole number ≥ 0; got ${params.finetuneEpochs}.`,
    );
  }
  if (!(params.learningRate > 0 && Number.isFinite(params.learningRate))) {
    throw new StageError(`The learning rate must be above 0; got ${params.learningRate}.`);
  }
}

/**
 * Pipeline chip text, e.g. 'prune 50% global, gradual', 'prune 2:4', 'prune 30% units (l1)',
 * 'prune 50% per layer (2 layers own %)'.
 */
export function pruneLabel(params: PruneParams): string {
  if (params.kind === 'nm') return `prune ${params.n}:${params.m}`;
  const schedule = params.schedule === 'one-shot' ? '' : `, ${params.schedule}`;
  if (params.kind === 'structured') {
    return `prune ${percent(params.sparsity)} units (${params.criterion})${schedule}`;
  }
  const scope = params.scope === 'global' ? 'global' : 'per layer';
  if (usesLayerSparsities(params)) {
    const set = Object.keys(params.layerSparsities ?? {}).length;
    const own = `${set} layer${set === 1 ? '' : 's'} own %`;
    return `prune ${percent(params.sparsity)} per layer (${own})${schedule}`;
  }
  return `prune ${percent(params.sparsity)} ${scope}${schedule}`;
}

function readLayers(model: tf.LayersModel): NamedLayer[] {
  try {
    return extractLayers(model);
  } catch (error) {
    throw new StageError(
      'Pruning reads models made of dense, conv, max-pool and flatten layers only: ' +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Runs the prune stage: new model + storage (kernels with non-zero counts) + MACs + notes. */
export async function runPrune(
  ctx: StageContext,
  input: ModelHandle,
  params: PruneParams,
): Promise<ModelHandle> {
  checkPruneParams(params);
  const layers = readLayers(input.model);
  let model: tf.LayersModel;
  const notes: string[] = [];
  if (params.kind === 'structured') {
    model = await pruneStructured(ctx, layers, params);
    notes.push(STRUCTURED_NOTE);
  } else {
    const result = await pruneMasked(ctx, layers, params);
    model = result.model;
    notes.push(SPARSE_NOTE, ...result.notes);
  }
  const costs = prunedCosts(extractLayers(model), ctx.data.inputShape);
  return { model, ...costs, notes, label: pruneLabel(params) };
}

export const pruneTechnique: Technique<PruneParams> = {
  id: 'prune',
  label: 'Prune',
  run: runPrune,
};
