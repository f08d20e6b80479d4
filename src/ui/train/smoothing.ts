/** Mean over a sliding window of the last `window` values (shorter at the start). */
export function movingAverage(values: readonly number[], window: number): number[] {
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    sum += values[i]!;
    if (i >= window) sum -= values[i - window]!;
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/** Every k-th index so that at most `maxPoints` remain, always keeping the last one. */
export function downsampleIndices(length: number, maxPoints: number): number[] {
  if (length <= maxPoints) return Array.from({ length }, (_, i) => i);
  const stride = Math.ceil(length / maxPoints);
  const out: number[] = [];
  for (let i = 0; i < length; i += stride) out.push(i);
  if (out[out.length - 1] !== length - 1) out.push(length - 1);
  return out;
}

/** Remaining time = remaining steps × elapsed / done steps, in ms; NaN before the first step. */
export function etaMs(doneSteps: number, totalSteps: number, elapsedMs: number): number {
  if (doneSteps <= 0) return Number.NaN;
  return ((totalSteps - doneSteps) * elapsedMs) / doneSteps;
}
