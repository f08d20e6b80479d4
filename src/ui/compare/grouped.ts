import type { ResultRow } from '../../experiment/compare';

export interface GroupedBar {
  variant: string;
  /** Top-1 test accuracy, 100·accuracy (%). */
  accuracy: number;
  /** Stored size relative to the teacher's, 100·bytes_v / bytes_t (%); null if unknown. */
  sizePct: number | null;
  /** Batch-1 median latency relative to the teacher's, 100·t_v / t_t (%); null if unmeasured. */
  latencyPct: number | null;
  /** The same at batch 32, 100·t_v / t_t (%); null if unmeasured. */
  latency32Pct: number | null;
}

/** One group of bars per results row: accuracy %, size % of teacher = 100/compression, latency % of teacher = 100/speedup. */
export function groupedBarsData(rows: readonly ResultRow[]): GroupedBar[] {
  return rows.map((r) => ({
    variant: r.variant,
    accuracy: 100 * r.accuracy,
    sizePct: r.compressionRatio ? 100 / r.compressionRatio : null,
    latencyPct: r.speedupB1 ? 100 / r.speedupB1 : null,
    latency32Pct: r.speedupB32 ? 100 / r.speedupB32 : null,
  }));
}

/** Above this tallest bar (%), the value axis turns logarithmic. */
export const LOG_ABOVE_PCT = 400;
const LOG_TICKS = [0.1, 0.3, 1, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 30_000, 100_000];

/**
 * The bars' value axis: linear from 0 to max(100, tallest) %; logarithmic from the decade below
 * the smallest bar to the decade above the tallest when the tallest exceeds LOG_ABOVE_PCT, so one
 * very slow or large variant does not flatten every other bar.
 */
export function barAxis(values: readonly (number | null)[]):
  | { scale: 'linear'; extent: { min: number; max: number } }
  | {
      scale: 'log';
      domain: readonly [number, number];
      ticks: number[];
      allowDataOverflow: true;
    } {
  const shown = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const tallest = Math.max(100, ...shown);
  if (tallest <= LOG_ABOVE_PCT) return { scale: 'linear', extent: { min: 0, max: tallest } };
  const smallest = Math.min(100, ...shown.filter((v) => v > 0));
  const low = 10 ** Math.floor(Math.log10(Math.max(0.1, smallest)));
  const high = 10 ** Math.ceil(Math.log10(tallest));
  return {
    scale: 'log',
    domain: [low, high],
    ticks: LOG_TICKS.filter((t) => t >= low && t <= high),
    allowDataOverflow: true,
  };
}
