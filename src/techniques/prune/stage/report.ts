import { kernelView } from '../nm';
import type { SensitivityResult } from '../sensitivity';
import { DEFAULT_SENSITIVITY_GRID, sensitivityScan } from '../sensitivity';
import { withKernelEvaluator } from '../../../engine/measure/kernel-sweep';
import { nonZeroCount } from '../../../engine/network/layers';
import { isWeightLayer } from '../../../engine/network/layers';
import type { NamedLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/** Views of a pruned model for the UI: plain numbers and typed arrays, never tensors. */

export interface LayerSparsity {
  name: string;
  /** Kernel weights (biases are not counted: they are never pruned). */
  count: number;
  nonZeros: number;
  /** (count − nonZeros) / count, 0..1. */
  sparsity: number;
}

export interface PruningReport {
  layers: LayerSparsity[];
  total: LayerSparsity;
  /** Layer the mask and histogram describe. */
  layer: string;
  /** Kernel mask as rows × cols (cols = output units, rows = inputs; conv: kh·kw·cin): 1 kept. */
  mask: { rows: number; cols: number; values: Uint8Array };
  /** |w| of the kept weights in `bins` equal bins on [0, max |w|]; `pruned` = zero weights. */
  histogram: { edges: number[]; kept: number[]; pruned: number };
}

function readLayers(handle: ModelHandle): NamedLayer[] {
  try {
    return extractLayers(handle.model);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new StageError(`This model cannot be read layer by layer: ${reason}`);
  }
}

function sparsityRow(name: string, count: number, nonZeros: number): LayerSparsity {
  return { name, count, nonZeros, sparsity: count ? (count - nonZeros) / count : 0 };
}

/** Histogram of |w| over non-zero weights: bins of width max|w|/bins from 0; zeros counted apart. */
function magnitudeHistogram(kernel: Float32Array, bins: number): PruningReport['histogram'] {
  let max = 0;
  for (const w of kernel) max = Math.max(max, Math.abs(w));
  const top = max > 0 ? max : 1;
  const kept = new Array<number>(bins).fill(0);
  let pruned = 0;
  for (const w of kernel) {
    if (w === 0) pruned++;
    else kept[Math.min(bins - 1, Math.floor((Math.abs(w) / top) * bins))]!++;
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => (top * i) / bins);
  return { edges, kept, pruned };
}

/**
 * Per-layer sparsity (zeros / kernel weights) of a handle's model, the total, and the mask and
 * |w| histogram of one layer (default: the first dense/conv layer).
 */
export function pruningReport(handle: ModelHandle, layerName?: string, bins = 24): PruningReport {
  const layers = readLayers(handle).filter(isWeightLayer);
  const rows = layers.map((l) => sparsityRow(l.name, l.kernel.length, nonZeroCount(l.kernel)));
  const total = sparsityRow(
    'total',
    rows.reduce((n, r) => n + r.count, 0),
    rows.reduce((n, r) => n + r.nonZeros, 0),
  );
  const chosen = layerName === undefined ? layers[0] : layers.find((l) => l.name === layerName);
  if (chosen === undefined) {
    const names = layers.map((l) => l.name).join(', ');
    throw new StageError(`There is no dense or conv layer '${layerName}' (layers: ${names}).`);
  }
  const [maskRows, cols] = kernelView(chosen.kernelShape, chosen.kernel.length);
  const values = Uint8Array.from(chosen.kernel, (w) => (w === 0 ? 0 : 1));
  const histogram = magnitudeHistogram(chosen.kernel, Math.max(1, Math.floor(bins)));
  return {
    layers: rows,
    total,
    layer: chosen.name,
    mask: { rows: maskRows, cols, values },
    histogram,
  };
}

/** Accuracy drops of pruning each layer alone, with the layers' names and sizes. */
export interface SensitivityTable extends SensitivityResult {
  layers: { name: string; count: number }[];
  /** How many held-out validation examples every accuracy was measured on (never the test split). */
  examples: number;
}

/**
 * Sensitivity scan: each dense/conv layer alone magnitude-pruned to each sparsity (no fine-tune),
 * drop = acc(unpruned) − acc(pruned), top-1 on the first `maxExamples` examples of the validation
 * split: the sparsities chosen from it are then scored on the test split, which the scan never sees.
 */
export async function runSensitivity(
  ctx: StageContext,
  handle: ModelHandle,
  sparsities: readonly number[] = DEFAULT_SENSITIVITY_GRID,
): Promise<SensitivityTable> {
  for (const s of sparsities) {
    if (!(Number.isFinite(s) && s >= 0 && s < 1)) {
      throw new StageError(
        `Each sparsity of the scan must be from 0 up to (not including) 1; got ${s}.`,
      );
    }
  }
  if (sparsities.length === 0) throw new StageError('Choose at least one sparsity to scan.');
  const all = readLayers(handle);
  return withKernelEvaluator(
    ctx,
    all,
    'sensitivity scan',
    async (evaluateWeights, layers, examples) => {
      const result = await sensitivityScan(
        evaluateWeights,
        layers.map((l) => l.kernel),
        {
          sparsities,
          onProgress: (done, total) =>
            ctx.onProgress(done / total, `Sensitivity scan: ${done} of ${total} evaluations`),
        },
      );
      const names = layers.map((l) => ({ name: l.name, count: l.kernel.length }));
      return { ...result, layers: names, examples };
    },
  );
}
