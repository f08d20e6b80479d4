/**
 * One-dimensional k-means over a layer's weights (Deep Compression's weight sharing): k
 * centroids c₁ < … < c_k, each weight replaced by its nearest centroid. Pure: no tfjs.
 *
 * In one dimension the clusters of a sorted input are contiguous runs, so each Lloyd step is k
 * binary searches for the midpoints (c_j + c_{j+1})/2 and k means read from prefix sums: the cost
 * per iteration is O(k log n), after one O(n log n) sort.
 */
import type { Rng } from '../../engine/rng';

/** Lloyd iterations at most (1-D k-means on weights settles in far fewer). */
export const MAX_KMEANS_ITERATIONS = 100;

export interface Codebook {
  /** Centroids in ascending order, float32 values (what the shipped codebook stores). */
  centroids: Float32Array;
  /** Index of each input value's centroid, in input order. */
  assignment: Uint16Array;
  /** Lloyd iterations run until no centroid moved. */
  iterations: number;
  /** Σ (wᵢ − c_{a(i)})², the within-cluster squared error. */
  squaredError: number;
}

/** Thrown when a layer has fewer values than the requested centroids. */
export class TooFewWeightsError extends RangeError {
  constructor(
    readonly count: number,
    readonly centroids: number,
  ) {
    super(`${count} weights cannot fill ${centroids} centroids.`);
    this.name = 'TooFewWeightsError';
  }
}

/** First index i in sorted[lo, hi) with sorted[i] > x (sorted ascending). */
function upperBound(sorted: Float64Array, x: number, lo = 0, hi = sorted.length): number {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * k-means++ seeding: c₁ uniform over the values, then each next centroid drawn with probability
 * ∝ D(w)², the squared distance to the nearest centroid chosen so far.
 */
export function kmeansPlusPlusInit(values: Float64Array, k: number, rng: Rng): number[] {
  const n = values.length;
  const centroids = [values[Math.min(n - 1, Math.floor(rng() * n))]!];
  const d2 = new Float64Array(n);
  for (let i = 0; i < n; i++) d2[i] = (values[i]! - centroids[0]!) ** 2;
  while (centroids.length < k) {
    let total = 0;
    for (let i = 0; i < n; i++) total += d2[i]!;
    let pick = n - 1;
    if (total > 0) {
      let target = rng() * total;
      for (let i = 0; i < n; i++) {
        target -= d2[i]!;
        if (target < 0) {
          pick = i;
          break;
        }
      }
    }
    const c = values[pick]!;
    centroids.push(c);
    for (let i = 0; i < n; i++) d2[i] = Math.min(d2[i]!, (values[i]! - c) ** 2);
  }
  return centroids;
}

/** Cluster boundaries of sorted values for ascending centroids: run j is [b_j, b_{j+1}). */
function boundaries(sorted: Float64Array, centroids: Float64Array): Uint32Array {
  const k = centroids.length;
  const b = new Uint32Array(k + 1);
  b[k] = sorted.length;
  for (let j = 1; j < k; j++) {
    const mid = (centroids[j - 1]! + centroids[j]!) / 2;
    b[j] = upperBound(sorted, mid, b[j - 1]!);
  }
  return b;
}

/**
 * k-means of `values` into k clusters, k-means++ seeded from `rng`, Lloyd steps c_j ← mean of
 * cluster j (an empty cluster keeps its centroid) until no centroid moves; ties at a midpoint go
 * to the lower centroid. Throws TooFewWeightsError when values.length < k.
 */
export function kmeans1d(values: ArrayLike<number>, k: number, rng: Rng): Codebook {
  const n = values.length;
  if (!Number.isInteger(k) || k < 1)
    throw new RangeError(`k must be a whole number ≥ 1, got ${k}.`);
  if (n < k) throw new TooFewWeightsError(n, k);
  const sorted = Float64Array.from(values).sort();
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + sorted[i]!;
  const centroids = Float64Array.from(kmeansPlusPlusInit(sorted, k, rng)).sort();
  let iterations = 0;
  while (iterations < MAX_KMEANS_ITERATIONS) {
    iterations++;
    const b = boundaries(sorted, centroids);
    let moved = false;
    for (let j = 0; j < k; j++) {
      const count = b[j + 1]! - b[j]!;
      if (count === 0) continue;
      const mean = (prefix[b[j + 1]!]! - prefix[b[j]!]!) / count;
      if (mean !== centroids[j]) {
        centroids[j] = mean;
        moved = true;
      }
    }
    // Means of ordered contiguous runs stay ordered; sorting guards float ties only.
    centroids.sort();
    if (!moved) break;
  }
  const stored = Float32Array.from(centroids);
  return { centroids: stored, ...assign(values, stored), iterations };
}

/** Nearest centroid of each value (ascending centroids; ties to the lower) and Σ squared error. */
export function assign(
  values: ArrayLike<number>,
  centroids: Float32Array,
): { assignment: Uint16Array; squaredError: number } {
  const k = centroids.length;
  const mids = new Float64Array(Math.max(0, k - 1));
  for (let j = 1; j < k; j++) mids[j - 1] = (centroids[j - 1]! + centroids[j]!) / 2;
  const assignment = new Uint16Array(values.length);
  let squaredError = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // First midpoint ≥ v: the values at or below a midpoint belong to the lower centroid.
    let lo = 0;
    let hi = mids.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (mids[mid]! >= v) hi = mid;
      else lo = mid + 1;
    }
    assignment[i] = lo;
    squaredError += (v - centroids[lo]!) ** 2;
  }
  return { assignment, squaredError };
}
