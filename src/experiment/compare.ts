// Comparing a variant's measurement with the teacher's: ratios, the speed note, the CSV rows.
import type { VariantMeasurement } from './measurement';

export type { VariantMeasurement };

/** Numbers derived from a variant's measurement and the teacher's. */
export interface Comparison {
  /** teacher bytes / variant bytes (×); null when either is missing or not positive. */
  compressionRatio: number | null;
  /** (variant − teacher) accuracy in percentage points. */
  accuracyChangePoints: number;
  /** teacher batch-1 median latency / variant's (×); null when unmeasured. */
  speedupB1: number | null;
  /** teacher batch-32 median latency / variant's (×); null when unmeasured. */
  speedupB32: number | null;
}

/** A variant against its fp32 control (the teacher fine-tuned as long, uncompressed). */
export interface ControlComparison {
  /** Name of the control row, or null when the variant has none. */
  control: string | null;
  /** (variant − control) accuracy in percentage points; null without a measured control. */
  accuracyChangeVsControlPoints: number | null;
}

export type ResultRow = VariantMeasurement & Comparison & ControlComparison;

type Timing = Pick<
  VariantMeasurement,
  | 'latencyB1MedianMs'
  | 'latencyB32MedianMs'
  | 'pairedTeacherB1MedianMs'
  | 'pairedTeacherB32MedianMs'
>;
type RawForComparison = Pick<VariantMeasurement, 'accuracy' | 'sizeBytes'> & Timing;

/**
 * Speedups t_teacher / t_variant at batch 1 and 32, against the teacher timed in alternation
 * with the variant where it was (pairedTeacher…), else against the teacher's own row.
 */
export function speedups(
  variant: Timing,
  teacher: Pick<VariantMeasurement, 'latencyB1MedianMs' | 'latencyB32MedianMs'>,
): { b1: number | null; b32: number | null } {
  return {
    b1: safeRatio(
      variant.pairedTeacherB1MedianMs ?? teacher.latencyB1MedianMs,
      variant.latencyB1MedianMs,
    ),
    b32: safeRatio(
      variant.pairedTeacherB32MedianMs ?? teacher.latencyB32MedianMs,
      variant.latencyB32MedianMs,
    ),
  };
}

/** numerator / denominator, or null unless both are finite and positive. */
export function safeRatio(
  numerator: number | null | undefined,
  denominator: number | null | undefined,
): number | null {
  if (numerator == null || denominator == null) return null;
  if (!(numerator > 0 && denominator > 0 && Number.isFinite(numerator + denominator))) return null;
  return numerator / denominator;
}

/** Compression teacher B / variant B, accuracy change 100·(acc_v − acc_t) points, speedup t_t / t_v. */
export function compareToTeacher(variant: RawForComparison, teacher: RawForComparison): Comparison {
  const speed = speedups(variant, teacher);
  return {
    compressionRatio: safeRatio(teacher.sizeBytes, variant.sizeBytes),
    accuracyChangePoints: 100 * (variant.accuracy - teacher.accuracy),
    speedupB1: speed.b1,
    speedupB32: speed.b32,
  };
}

/** A ratio r as "r×": whole numbers from 10×, one decimal from 1.95×, two below (2092×, 3.1×, 1.28×). */
export const formatTimes = (r: number): string =>
  `${r >= 10 ? r.toFixed(0) : r.toFixed(r >= 1.95 ? 1 : 2)}×`;

/**
 * The measured speed against the teacher, in words, from the batch-1 and batch-32 medians
 * (speedup = t_teacher / t_variant, see speedups): e.g. "measured 2.1× the teacher's speed at
 * batch 32, 0.93× at batch 1". Null when neither was measured.
 */
export function measuredSpeedNote(
  teacher: Pick<VariantMeasurement, 'latencyB1MedianMs' | 'latencyB32MedianMs'>,
  variant: Timing,
): string | null {
  const { b1, b32 } = speedups(variant, teacher);
  const parts = [
    b32 === null ? null : `${formatTimes(b32)} the teacher's speed at batch 32`,
    b1 === null ? null : `${formatTimes(b1)} at batch 1`,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) return null;
  const verdict =
    b32 !== null && b1 !== null
      ? b32 >= 1.05 && b1 >= 1.05
        ? 'faster'
        : b32 <= 0.95 && b1 <= 0.95
          ? 'slower'
          : null
      : null;
  const paired =
    variant.pairedTeacherB1MedianMs != null || variant.pairedTeacherB32MedianMs != null
      ? ', the teacher timed in alternation with it'
      : '';
  return `Measured ${parts.join(', ')}${paired}${verdict ? ` (${verdict} than the teacher)` : ''}.`;
}

/**
 * A results-table row: the variant's raw measurement, its comparison with the teacher and, when it
 * has one, with its fp32 control: Δ = 100·(acc_v − acc_control) points.
 */
export function resultRow(
  variant: VariantMeasurement,
  teacher: VariantMeasurement,
  control: VariantMeasurement | null = null,
): ResultRow {
  return {
    ...variant,
    ...compareToTeacher(variant, teacher),
    control: control?.variant ?? null,
    accuracyChangeVsControlPoints: control ? 100 * (variant.accuracy - control.accuracy) : null,
  };
}

/** CSV columns, in their fixed order: header (with units) and the row field it reads. */
export const RESULT_COLUMNS: readonly { header: string; key: keyof ResultRow }[] = [
  { header: 'variant', key: 'variant' },
  { header: 'pipeline', key: 'pipeline' },
  { header: 'accuracy', key: 'accuracy' },
  { header: 'accuracy_change_pts', key: 'accuracyChangePoints' },
  { header: 'control', key: 'control' },
  { header: 'accuracy_change_vs_control_pts', key: 'accuracyChangeVsControlPoints' },
  { header: 'size_bytes', key: 'sizeBytes' },
  { header: 'gzip_bytes', key: 'gzipBytes' },
  { header: 'compression_ratio', key: 'compressionRatio' },
  { header: 'params', key: 'params' },
  { header: 'macs', key: 'macs' },
  { header: 'effective_macs', key: 'effectiveMacs' },
  { header: 'latency_b1_median_ms', key: 'latencyB1MedianMs' },
  { header: 'latency_b1_p90_ms', key: 'latencyB1P90Ms' },
  { header: 'latency_b32_median_ms', key: 'latencyB32MedianMs' },
  { header: 'latency_b32_p90_ms', key: 'latencyB32P90Ms' },
  { header: 'speedup_b1', key: 'speedupB1' },
  { header: 'speedup_b32', key: 'speedupB32' },
  { header: 'note', key: 'note' },
];

/**
 * One CSV field (RFC 4180): numbers as JavaScript prints them, null / NaN / ±Infinity empty; text
 * quoted when it holds a comma, quote, CR or LF, quotes doubled. Text starting with = + - @ or a
 * tab gets a leading ' so spreadsheets do not run it as a formula (names come from shared links).
 */
export function csvField(value: string | number | null | undefined): string {
  if (value == null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Results as CSV (RFC 4180): a header line, then one line per row, CRLF after every line. */
export function resultsToCsv(rows: readonly ResultRow[]): string {
  const lines = [RESULT_COLUMNS.map((c) => csvField(c.header))];
  for (const r of rows) lines.push(RESULT_COLUMNS.map((c) => csvField(r[c.key])));
  return lines.map((cells) => `${cells.join(',')}\r\n`).join('');
}
