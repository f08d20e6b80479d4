/**
 * Unstructured magnitude pruning: remove the weights with the smallest |w|.
 *
 * Masks are Float32Arrays of 0 (pruned) and 1 (kept), the same length as the weights, so they can
 * be multiplied into a kernel or handed to `MaskedDense.setMask` as they are.
 *
 * Exactness: a target sparsity s over n weights prunes exactly k = round(s·n) of them. Weights are
 * ranked by (|w|, position) ascending, so among equal magnitudes the earlier position is pruned
 * first; the result never depends on sort stability or on how many weights tie.
 */
import { assertSparsity } from './sparsity';

export { assertSparsity };

/** Number of weights a sparsity removes: k = round(sparsity · count). */
export function prunedCount(count: number, sparsity: number): number {
  assertSparsity(sparsity);
  return Math.round(sparsity * count);
}

/**
 * Magnitude threshold and tie quota for pruning the k smallest of `magnitudes`: every value < t is
 * pruned, plus the first `ties` values equal to t (in position order). k = 0 gives t = −1.
 */
function kthSmallest(magnitudes: Float32Array, k: number): { threshold: number; ties: number } {
  if (k === 0) return { threshold: -1, ties: 0 };
  const sorted = Float32Array.from(magnitudes).sort();
  const threshold = sorted[k - 1]!;
  let below = 0;
  for (const v of magnitudes) if (v < threshold) below++;
  return { threshold, ties: k - below };
}

function absolute(weights: Float32Array): Float32Array {
  const out = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) out[i] = Math.abs(weights[i]!);
  return out;
}

function checkFinite(weights: Float32Array, what: string): void {
  for (const v of weights) {
    if (!Number.isFinite(v)) throw new RangeError(`${what} holds a non-finite value (${v}).`);
  }
}

/**
 * Layer-wise magnitude mask: 0 at the round(sparsity·n) smallest |w| (ties: lower index first),
 * 1 elsewhere.
 */
export function magnitudeMask(weights: Float32Array, sparsity: number): Float32Array {
  checkFinite(weights, 'The weight array');
  const k = prunedCount(weights.length, sparsity);
  const magnitudes = absolute(weights);
  const { threshold, ties } = kthSmallest(magnitudes, k);
  const mask = new Float32Array(weights.length).fill(1);
  let tiesLeft = ties;
  for (let i = 0; i < magnitudes.length; i++) {
    const m = magnitudes[i]!;
    if (m < threshold) mask[i] = 0;
    else if (m === threshold && tiesLeft > 0) {
      mask[i] = 0;
      tiesLeft--;
    }
  }
  return mask;
}

/** Masks of global magnitude pruning and the one |w| threshold they share. */
export interface GlobalPruneResult {
  masks: Float32Array[];
  /** |w| of the largest pruned weight (every |w| below it is pruned); −1 when nothing is pruned. */
  threshold: number;
}

/**
 * Global magnitude pruning: one threshold over all layers; exactly round(sparsity·Σnᵢ) weights
 * pruned in total, ranked by (|w|, layer, position) — layers keep different sparsities.
 */
export function globalMagnitudeMasks(
  layers: readonly Float32Array[],
  sparsity: number,
): GlobalPruneResult {
  layers.forEach((w, i) => checkFinite(w, `Layer ${i}'s weight array`));
  const total = layers.reduce((n, w) => n + w.length, 0);
  const k = prunedCount(total, sparsity);
  const all = new Float32Array(total);
  let offset = 0;
  for (const w of layers) {
    all.set(absolute(w), offset);
    offset += w.length;
  }
  const { threshold, ties } = kthSmallest(all, k);
  let tiesLeft = ties;
  const masks = layers.map((w) => {
    const mask = new Float32Array(w.length).fill(1);
    for (let i = 0; i < w.length; i++) {
      const m = Math.abs(w[i]!);
      if (m < threshold) mask[i] = 0;
      else if (m === threshold && tiesLeft > 0) {
        mask[i] = 0;
        tiesLeft--;
      }
    }
    return mask;
  });
  return { masks, threshold };
}

/** Element-wise product w ⊙ mask, as a new array (the pruned weights). */
export function applyMask(weights: Float32Array, mask: Float32Array): Float32Array {
  if (weights.length !== mask.length) {
    throw new RangeError(
      `The mask has ${mask.length} entries but the weights have ${weights.length}.`,
    );
  }
  const out = new Float32Array(weights.length);
  for (let i = 0; i < weights.length; i++) out[i] = weights[i]! * mask[i]!;
  return out;
}

/** Fraction of zeros in an array: (count − nnz) / count, in 0..1 (0 for an empty array). */
export function sparsityOf(values: Float32Array): number {
  if (values.length === 0) return 0;
  let zeros = 0;
  for (const v of values) if (v === 0) zeros++;
  return zeros / values.length;
}
