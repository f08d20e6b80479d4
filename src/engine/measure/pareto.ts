/** A variant as a point of the accuracy-vs-size plane. */
export interface ParetoPoint {
  id: string;
  /** Artifact size in bytes (smaller is better). */
  sizeBytes: number;
  /** Top-1 accuracy in 0..1 (larger is better). */
  accuracy: number;
}

/** Whether a dominates b: size_a ≤ size_b and acc_a ≥ acc_b, with at least one strict. */
export function dominates(a: ParetoPoint, b: ParetoPoint): boolean {
  return (
    a.sizeBytes <= b.sizeBytes &&
    a.accuracy >= b.accuracy &&
    (a.sizeBytes < b.sizeBytes || a.accuracy > b.accuracy)
  );
}

/**
 * Pareto frontier: the points no other point dominates, sorted by size ascending (then by id).
 * Exact duplicates do not dominate each other, so both stay. Points with a non-finite size or
 * accuracy (not measured yet) are left out. O(n²), fine for a handful of variants.
 */
export function paretoFrontier<T extends ParetoPoint>(points: readonly T[]): T[] {
  const measured = points.filter(
    (p) => Number.isFinite(p.sizeBytes) && Number.isFinite(p.accuracy),
  );
  return measured
    .filter((p) => !measured.some((q) => dominates(q, p)))
    .sort((a, b) => a.sizeBytes - b.sizeBytes || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}
