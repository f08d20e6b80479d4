import { z } from 'zod';
import { friendlyIssue, joinPath } from './messages';
import { measurementSchema } from '../measurement';

/**
 * One row of the sharer's results: accuracy and bytes as in the measurement schema, `variant` is
 * 'teacher' or a variant id, `latencyMs` the batch-1 median (null when not measured).
 */
export const reportedRowSchema = measurementSchema
  .pick({ accuracy: true, sizeBytes: true })
  .extend({
    variant: z.string().regex(/^[a-z0-9-]{1,32}$/, 'is not a variant id'),
    latencyMs: measurementSchema.shape.latencyB1MedianMs,
  });
export type ReportedRow = z.infer<typeof reportedRowSchema>;

/**
 * Results as measured by whoever shared the link, on their machine: shown beside, never instead
 * of, the results measured here. `by: 'sharer'` labels them wherever they travel.
 */
export interface ReportedResults {
  by: 'sharer';
  rows: ReportedRow[];
}

/** At most this many rows travel in a link (12 variants, the teacher, their baselines). */
export const MAX_REPORTED_ROWS = 32;

/** Label for the UI: these numbers were not measured on this machine. */
export const REPORTED_LABEL = 'Reported by the person who shared this link (not measured here)';

/** Wraps rows as the sharer's results. */
export function reportedBySharer(rows: readonly ReportedRow[]): ReportedResults {
  return { by: 'sharer', rows: rows.map((r) => ({ ...r })) };
}

/** Rounds to `decimals` places: accuracy to 1e-4 (0.01 %), latency to 1e-3 ms, keeping links short. */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** Compact form of one row: [variant, accuracy, sizeBytes, latencyMs], rounded as above. */
export function packReportedRow(row: ReportedRow): [string, number, number, number | null] {
  const latency = row.latencyMs === null ? null : roundTo(row.latencyMs, 3);
  return [row.variant, roundTo(row.accuracy, 4), row.sizeBytes, latency];
}

/** Reads packed rows back; invalid rows are left out and named in `problems`. */
export function unpackReported(raw: unknown, problems: string[]): ReportedResults | null {
  if (raw === undefined) return null;
  if (!Array.isArray(raw)) {
    problems.push('reported: the shared results must be a list — ignored');
    return null;
  }
  if (raw.length > MAX_REPORTED_ROWS) {
    problems.push(
      `reported: ${raw.length} result rows is too many — kept the first ${MAX_REPORTED_ROWS}`,
    );
  }
  const rows: ReportedRow[] = [];
  raw.slice(0, MAX_REPORTED_ROWS).forEach((item, i) => {
    const where = joinPath('reported', i);
    if (!Array.isArray(item) || item.length !== 4) {
      problems.push(`${where}: must be [variant, accuracy, sizeBytes, latencyMs] — left out`);
      return;
    }
    const [variant, accuracy, sizeBytes, latencyMs] = item as unknown[];
    const r = reportedRowSchema.safeParse(
      { variant, accuracy, sizeBytes, latencyMs },
      { error: friendlyIssue },
    );
    if (r.success) rows.push(r.data);
    else {
      const issue = r.error.issues[0];
      problems.push(
        `${where}.${String(issue?.path[0] ?? '')}: ${issue?.message ?? 'is not valid'} — left out`,
      );
    }
  });
  return { by: 'sharer', rows };
}
