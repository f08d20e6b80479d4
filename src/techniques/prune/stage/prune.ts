import type * as tf from '@tensorflow/tfjs';
import type { PruneParams } from '../spec';
import { pruneSummary } from '../spec';
import { prunedCosts } from './pruned-handle';
import { pruneMasked } from './magnitude-stage';
import { pruneStructured } from './structured-stage';
import type { NamedLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/**
 * The prune stage: unstructured magnitude (layer-wise or global), N:M, or structured (whole units)
 * pruning on a one-shot, iterative or gradual schedule, with fine-tuning through trainModel.
 * The input handle and its model are only read: the stage builds a new model.
 */

export const SPARSE_NOTE =
  'zeros are skipped in storage and effective MACs; the same shape remains, so any speedup comes ' +
  'only from a sparse kernel (the timing below says which kernel ran and what it measured)';
export const STRUCTURED_NOTE = 'the model is physically smaller: whole units removed';

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
  return { model, ...costs, notes, label: pruneSummary(params) };
}

/** The stage's run, loaded by the technique spec. */
export const run = runPrune;
