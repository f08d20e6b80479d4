import type { Inspection } from '../../../worker/protocol';
import type { VariantMeasurement } from '../../../experiment/measurement';

type PruningReport = Inspection['prune'];

/** One row of the pruning lab table: the original's figure, the pruned one's, and original / pruned. */
export interface LabRow {
  measure: string;
  original: number | null;
  pruned: number | null;
  /** original / pruned (×), null when either is missing or zero. */
  reduction: number | null;
}

function row(measure: string, original: number | null, pruned: number | null): LabRow {
  const reduction = original !== null && pruned !== null && pruned > 0 ? original / pruned : null;
  return { measure, original, pruned, reduction };
}

/**
 * The lab table of a pruned variant against the teacher: latency at batch 1 and 32, MACs that
 * skip zeros, and non-zero parameters = params − kernel weights + non-zero kernel weights.
 */
export function pruningLabRows(
  teacher: VariantMeasurement,
  variant: VariantMeasurement,
  report: PruningReport,
): LabRow[] {
  const beforeWeights = report.before.reduce((a, l) => a + l.count, 0);
  const beforeNonZeros = report.before.reduce((a, l) => a + l.nonZeros, 0);
  const teacherNonZero = teacher.params - beforeWeights + beforeNonZeros;
  const variantNonZero = variant.params - report.total.count + report.total.nonZeros;
  return [
    row('latency, batch 1 (ms)', teacher.latencyB1MedianMs, variant.latencyB1MedianMs),
    row('latency, batch 32 (ms)', teacher.latencyB32MedianMs, variant.latencyB32MedianMs),
    row('MACs (zeros skipped)', teacher.effectiveMacs, variant.effectiveMacs),
    row('parameters (non-zero)', teacherNonZero, variantNonZero),
  ];
}

/** Per-layer kernel weights before (teacher) and after (non-zero in the variant), by layer name. */
export function layerParamRows(
  report: PruningReport,
): { name: string; before: number; after: number }[] {
  const before = new Map(report.before.map((l) => [l.name, l.nonZeros]));
  return report.layers.map((l) => ({
    name: l.name,
    before: before.get(l.name) ?? 0,
    after: l.nonZeros,
  }));
}
