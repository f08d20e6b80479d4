// Axis ticks computed once in plain arithmetic, so a live chart does not ask recharts to find
// "nice" ticks (decimal arithmetic) on every redraw.

/** About `count` round ticks covering [min, max]: step = {1, 2, 5}·10^k ≥ (max − min)/count. */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [min];
  const raw = (max - min) / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= raw) ?? 10 * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  // Counted, not accumulated: a step below the values' float resolution cannot loop forever.
  for (let i = 0; i <= count + 2; i++) {
    const t = first + i * step;
    ticks.push(Number(t.toPrecision(12)));
    if (t >= max - step * 1e-9) break;
  }
  return ticks;
}
