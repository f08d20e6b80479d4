import { applyMask, assertSparsity, magnitudeMask } from './magnitude';
import type { EvaluateWeights, SweepOptions } from '../layer-sweep';
import { layerSweep } from '../layer-sweep';

/**
 * Sensitivity analysis: prune one layer at a time (magnitude, layer-wise) over a grid of
 * sparsities, keep every other layer dense, and record how much accuracy drops. Layers whose
 * curves stay flat can be pruned hard; steep ones should be spared.
 */

export type { EvaluateWeights } from '../layer-sweep';

export const DEFAULT_SENSITIVITY_GRID = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9] as const;

export interface SensitivityOptions extends SweepOptions {
  /** Sparsities to try, each in [0, 1); default 0.1, 0.2 … 0.9. */
  sparsities?: readonly number[];
}

export interface SensitivityResult {
  /** Accuracy of the unpruned model. */
  baseline: number;
  sparsities: number[];
  /** accuracy[l][j]: accuracy with layer l alone pruned to sparsities[j]. */
  accuracy: number[][];
  /** drop[l][j] = baseline − accuracy[l][j] (positive = worse). */
  drop: number[][];
}

/**
 * Prunes each layer alone to each sparsity s (round(s·n) smallest |w| zeroed) and evaluates:
 * drop[l][s] = acc(dense) − acc(layer l at s). Costs 1 + L·S evaluations.
 */
export async function sensitivityScan(
  evaluate: EvaluateWeights,
  layers: readonly Float32Array[],
  options: SensitivityOptions = {},
): Promise<SensitivityResult> {
  const sparsities = [...(options.sparsities ?? DEFAULT_SENSITIVITY_GRID)];
  if (sparsities.length === 0) throw new RangeError('The sparsity grid is empty.');
  sparsities.forEach((s) => assertSparsity(s));
  const change = (weights: Float32Array, _layer: number, sparsity: number) =>
    applyMask(weights, magnitudeMask(weights, sparsity));
  return { ...(await layerSweep(evaluate, layers, sparsities, change, options)), sparsities };
}

/**
 * Per-layer sparsity for a max accuracy drop: walking each layer's grid upwards, the largest s
 * reached before the first s whose drop exceeds maxDrop (0 if the smallest already does).
 * Stopping at the first violation ignores a lucky point further up a noisy curve. Each drop was
 * measured with one layer pruned alone; pruned together the drops roughly add up, so evaluate the
 * combined model (or pass a smaller maxDrop) before trusting it.
 */
export function pickLayerSparsities(result: SensitivityResult, maxDrop: number): number[] {
  if (!(maxDrop >= 0))
    throw new RangeError(`The allowed accuracy drop must be ≥ 0, got ${maxDrop}.`);
  const order = result.sparsities.map((s, j) => ({ s, j })).sort((a, b) => a.s - b.s);
  return result.drop.map((drops) => {
    let chosen = 0;
    for (const { s, j } of order) {
      if (drops[j]! > maxDrop) break;
      chosen = s;
    }
    return chosen;
  });
}
