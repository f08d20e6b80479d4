// Pure helpers of the variant diff: confusion matrices from predictions, their difference, and
// the test examples on which two models disagree.
import { PALETTE, withAlpha } from '../palette';

/** Counts C[t·k + p] = #{i : labels[i] = t, predictions[i] = p}, row-major k×k (k = numClasses). */
export function confusionFromPredictions(
  labels: ArrayLike<number>,
  predictions: ArrayLike<number>,
  numClasses: number,
): number[] {
  const k = numClasses;
  const out = new Array<number>(k * k).fill(0);
  const n = Math.min(labels.length, predictions.length);
  for (let i = 0; i < n; i++) {
    const t = labels[i]!;
    const p = predictions[i]!;
    if (t < 0 || t >= k || p < 0 || p >= k) continue;
    out[t * k + p]! += 1;
  }
  return out;
}

/** Cell-wise difference D = B − A of two confusion matrices of the same size (counts). */
export function confusionDiff(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new Error('confusion matrices differ in size');
  return b.map((v, i) => v - a[i]!);
}

export interface Disagreement {
  /** Index of the example in the test split. */
  index: number;
  label: number;
  a: number;
  b: number;
}

/** The first `limit` test examples i (in order) with a[i] ≠ b[i], with the true label. */
export function disagreements(
  labels: ArrayLike<number>,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  limit: number,
): Disagreement[] {
  const out: Disagreement[] = [];
  const n = Math.min(labels.length, a.length, b.length);
  for (let i = 0; i < n && out.length < limit; i++) {
    if (a[i] !== b[i]) out.push({ index: i, label: labels[i]!, a: a[i]!, b: b[i]! });
  }
  return out;
}

/** Number of examples with a[i] ≠ b[i] (over the common length). */
export function disagreementCount(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let count = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) count++;
  return count;
}

/**
 * The strongest cell shade: the dark ink stays readable on it (WCAG AA, ≥ 4.5:1, for the blue and
 * the vermillion of the palette), so cells never switch to light ink.
 */
export const MAX_SHADE_ALPHA = 0.6;

/**
 * Diverging colour of a difference d with |d| ≤ maxAbs: blue for d > 0, vermillion for d < 0,
 * alpha = 0.85·|d|/maxAbs (transparent at 0).
 */
export function divergingColour(d: number, maxAbs: number): string {
  if (d === 0 || maxAbs <= 0) return 'transparent';
  const alpha = (MAX_SHADE_ALPHA * Math.min(1, Math.abs(d) / maxAbs)).toFixed(3);
  return withAlpha(d > 0 ? PALETTE[0] : PALETTE[4], alpha);
}

export interface DiffSource {
  /** 'teacher' or a variant id (baselines: `<id>-alone`). */
  id: string;
  /** Display name, as in the results table. */
  name: string;
}

/**
 * What can be compared: the teacher, then every run variant (in `ordered`, an expanded variant
 * list) that has a measured result (matched by name) and stored predictions (keyed by id).
 */
export function diffSources(
  ordered: readonly { id: string; name: string }[],
  resultNames: readonly string[],
  predictionIds: readonly string[],
): DiffSource[] {
  const named = new Set(resultNames);
  const predicted = new Set(predictionIds);
  const variants = ordered.filter((v) => named.has(v.name) && predicted.has(v.id));
  return [{ id: 'teacher', name: 'teacher' }, ...variants.map((v) => ({ id: v.id, name: v.name }))];
}
