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
