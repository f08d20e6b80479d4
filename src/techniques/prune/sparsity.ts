// The one range check every pruning module shares. Kept free of imports so that pure schedule
// code (read by the UI on the main thread) never reaches tfjs through it.

/** Throws a RangeError unless 0 ≤ sparsity < 1 (the fraction of weights removed). */
export function assertSparsity(sparsity: number, what = 'Sparsity'): void {
  if (!Number.isFinite(sparsity) || sparsity < 0 || sparsity >= 1) {
    throw new RangeError(
      `${what} must be a fraction from 0 up to (but not including) 1, got ${sparsity}. ` +
        '0 keeps every weight, 0.9 removes 90 % of them; 1 would remove them all.',
    );
  }
}
