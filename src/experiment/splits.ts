/**
 * How the training examples split: a validation split is held out of them (every choice the app
 * makes from data is made on it) and the rest is trained on; the test split only scores.
 */

/** Fraction of the training examples held out for validation, and the cap on their number. */
export const VALIDATION_FRACTION = 0.1;
export const VALIDATION_MAX = 1000;

/** How many of n training examples are held out: min(VALIDATION_MAX, ⌊n · VALIDATION_FRACTION⌋). */
export function validationCount(n: number): number {
  return Math.min(VALIDATION_MAX, Math.floor(n * VALIDATION_FRACTION));
}

/** Examples the models train on out of n training examples: n − validationCount(n). */
export function trainedCount(n: number): number {
  return n - validationCount(n);
}
