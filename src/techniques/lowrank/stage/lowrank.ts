import type * as tf from '@tensorflow/tfjs';
import type { LowrankParams } from '../spec';
import type { RankChoice } from '../factorize';
import { breakEvenRank, spectrum } from '../factorize';
import { svd } from '../svd';
import { trainStageModel } from '../../finetune/stage/finetune';
import { fp32Storage } from '../../../engine/network/handle';
import type { LowRankDecision } from './factor-layers';
import { buildLowRankModel, factorLayers } from './factor-layers';
import type { NamedLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import { layerMacs } from '../../../engine/network/layers';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/**
 * The lowrank stage: every dense layer W [m×n] becomes two layers U [m×r] → V [r×n] (see
 * lowrank-factor.ts) where that saves parameters, (m + n)·r < m·n; the others stay as they are and
 * the notes say why. The logits layer follows the same rule. r is the given rank, or per layer the
 * smallest keeping the given share of the energy Σσ². With `convs`, conv kernels k×k×cin×cout are
 * reshaped to [k·k·cin, cout] and become a k×k conv with r filters followed by a 1×1 conv.
 */

function readLayers(model: tf.LayersModel): NamedLayer[] {
  try {
    return extractLayers(model);
  } catch (error) {
    throw new StageError(
      'Low-rank factorization reads models made of dense, conv, max-pool and flatten layers only: ' +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

function checkInput(
  input: ModelHandle,
  layers: readonly NamedLayer[],
  params: LowrankParams,
): void {
  if (input.predict || input.storage.some((spec) => spec.bits < 32)) {
    throw new StageError(
      'Low-rank factorization works on float weights: put it before quantization (PTQ or QAT).',
    );
  }
  if (params.rankMode !== 'rank') return;
  const largest = Math.max(
    0,
    ...layers.map((l) => (l.kind === 'dense' ? Math.min(...l.kernelShape) : 0)),
  );
  if (!(Number.isInteger(params.rank) && params.rank >= 1 && params.rank <= largest)) {
    throw new StageError(
      `rank must be between 1 and min(m, n) = ${largest} (the largest over this model's dense ` +
        `layers W [m×n]); got ${params.rank}. Try a rank below ${largest}, or choose by energy.`,
    );
  }
}

/** Plain-language notes: what was factored, what was kept and why, and whether MACs dropped. */
function lowRankNotes(
  decisions: readonly LowRankDecision[],
  input: ModelHandle,
  macsBefore: number,
  macsAfter: number,
): string[] {
  const percent = (x: number) => `${Math.round(x * 100)}%`;
  const factored = decisions.filter((d) => d.factored);
  const notes = factored.length
    ? [
        `factored ${factored.map((d) => `${d.name} r=${d.rank}/${Math.min(d.rows, d.cols)} (${percent(d.energyKept)} energy)`).join(', ')}`,
      ]
    : ['no layer was factored: at this setting no dense layer gets smaller'];
  for (const d of decisions) if (!d.factored) notes.push(`${d.name} kept as is: ${d.reason ?? ''}`);
  if (macsAfter < macsBefore) notes.push('fewer MACs: each factored layer is two thinner ones');
  if (input.effectiveMacs < input.macs && factored.length) {
    notes.push('pruned zeros are not kept: the factors are dense matrices');
  }
  return notes;
}

/** Runs the lowrank stage: factor, rebuild, optionally fine-tune; fp32 storage, MACs, notes. */
export async function runLowrank(
  ctx: StageContext,
  input: ModelHandle,
  params: LowrankParams,
): Promise<ModelHandle> {
  const layers = readLayers(input.model);
  checkInput(input, layers, params);
  const choice: RankChoice =
    params.rankMode === 'rank' ? { rank: params.rank } : { energy: params.energy };
  ctx.onProgress(0, 'computing singular values');
  await ctx.control.checkpoint();
  const { layers: factored, decisions } = factorLayers(layers, choice, { convs: params.convs });
  ctx.onProgress(1, 'factored');
  const model = buildLowRankModel(factored, ctx.data.inputShape);
  try {
    if (params.finetuneEpochs > 0) {
      await trainStageModel(ctx, model, params.finetuneEpochs, params.learningRate, false);
    }
  } catch (error) {
    model.dispose();
    throw error;
  }
  const before = layerMacs(layers, ctx.data.inputShape).macs;
  const costs = layerMacs(extractLayers(model), ctx.data.inputShape);
  const label =
    params.rankMode === 'rank'
      ? `low-rank r=${params.rank}`
      : `low-rank ${Math.round(params.energy * 100)}% energy`;
  return {
    model,
    storage: fp32Storage(model),
    ...costs,
    notes: lowRankNotes(decisions, input, before, costs.macs),
    label,
  };
}

/** The stage's run, loaded by the technique spec. */
export const run = runLowrank;

/** Singular values σ and cumulative energy Σ_{i≤r} σᵢ² / Σσᵢ² of one dense layer's W [m×n]. */
export interface LayerSpectrum {
  name: string;
  rows: number;
  cols: number;
  singularValues: number[];
  cumulativeEnergy: number[];
  /** Largest rank that still saves parameters, ⌊(m·n − 1)/(m + n)⌋. */
  breakEvenRank: number;
}

/** Per dense layer of the handle's model: σ (descending) and cumulative energy, for the chart. */
export function lowRankReport(handle: ModelHandle): LayerSpectrum[] {
  return readLayers(handle.model).flatMap((layer) => {
    if (layer.kind !== 'dense') return [];
    const [rows, cols] = layer.kernelShape;
    const s = spectrum(svd(layer.kernel, rows, cols).s);
    return [{ name: layer.name, rows, cols, ...s, breakEvenRank: breakEvenRank(rows, cols) }];
  });
}
