// Pure shaping of the engine's reports into chart rows (no React, so it is unit-tested).
import type { Variant } from '../../experiment/stages';
import { learnsFromTeacher } from '../../techniques/registry';
import type { Inspection, TemperatureData } from '../../worker/protocol';

type QuantLayer = Inspection['quant']['layers'][number];
type PruneHistogram = Inspection['prune']['histogram'];
type Spectrum = Inspection['lowrank'][number];

/** 'teacher' plus each variant (baselines included) whose run finished, in run order. */
export function inspectableSources(
  variants: readonly Variant[],
  runs: Readonly<Record<string, { status: string } | undefined>>,
): { value: string; label: string }[] {
  const done = variants.filter((v) => runs[v.id]?.status === 'done');
  return [
    { value: 'teacher', label: 'Teacher' },
    ...done.map((v) => ({ value: v.id, label: v.name })),
  ];
}

/** { id: {status: 'done'} } for the finished runs only (stable while others make progress). */
export function finishedRuns(
  runs: Readonly<Record<string, { status: string } | undefined>>,
): Record<string, { status: 'done' }> {
  const out: Record<string, { status: 'done' }> = {};
  for (const [id, run] of Object.entries(runs)) if (run?.status === 'done') out[id] = DONE;
  return out;
}
const DONE = { status: 'done' } as const;

/** Variants with a distillation stage (and their student-alone baselines) that finished. */
export function distilledSources(
  variants: readonly Variant[],
  runs: Readonly<Record<string, { status: string } | undefined>>,
): { value: string; label: string }[] {
  const distilled = new Set(variants.filter((v) => learnsFromTeacher(v.stages)).map((v) => v.id));
  return variants
    .filter((v) => runs[v.id]?.status === 'done')
    .filter((v) => distilled.has(v.id) || distilled.has(v.id.replace(/-alone$/, '')))
    .map((v) => ({ value: v.id, label: v.name }));
}

/** One row per bin: centre (weight units) and counts before/after quantization. */
export function quantHistogramRows(layer: QuantLayer) {
  const { edges, counts, quantizedCounts } = layer.histogram;
  return counts.map((before, i) => ({
    x: (edges[i]! + edges[i + 1]!) / 2,
    before,
    after: quantizedCounts[i] ?? 0,
  }));
}

/** Grid levels to draw as reference lines: all of them when there are ≤ `max`, else none. */
export function drawnLevels(levels: readonly number[] | null, max = 64): number[] {
  return levels !== null && levels.length <= max ? [...levels] : [];
}

/**
 * |w| histogram rows at bin centres (weight units): kept weights per bin, and the weights set to
 * zero as one extra bin just left of 0 (centre −width/2), so both share a numeric axis.
 */
export function magnitudeRows(h: PruneHistogram) {
  const width = (h.edges[1] ?? 1) - (h.edges[0] ?? 0);
  const rows = [{ x: -width / 2, kept: 0, pruned: h.pruned }];
  h.kept.forEach((kept, i) => rows.push({ x: h.edges[i]! + width / 2, kept, pruned: 0 }));
  return rows;
}

/**
 * The magnitude threshold a pruned layer shows: the lower edge of the first non-empty kept bin
 * (|w| below it were zeroed), or null when nothing was pruned.
 */
export function pruneThreshold(h: PruneHistogram): number | null {
  if (h.pruned === 0) return null;
  const i = h.kept.findIndex((n) => n > 0);
  return i < 0 ? null : h.edges[i]!;
}

/**
 * A rows × cols 0/1 mask pooled to at most maxSide × maxSide cells: each cell holds the kept
 * fraction (0..1) of the block it covers.
 */
export function poolMask(
  mask: { rows: number; cols: number; values: ArrayLike<number> },
  maxSide = 128,
): { rows: number; cols: number; kept: Float32Array } {
  const fy = Math.max(1, Math.ceil(mask.rows / maxSide));
  const fx = Math.max(1, Math.ceil(mask.cols / maxSide));
  const rows = Math.ceil(mask.rows / fy);
  const cols = Math.ceil(mask.cols / fx);
  const sum = new Float32Array(rows * cols);
  const n = new Float32Array(rows * cols);
  for (let r = 0; r < mask.rows; r++) {
    for (let c = 0; c < mask.cols; c++) {
      const cell = Math.floor(r / fy) * cols + Math.floor(c / fx);
      sum[cell]! += mask.values[r * mask.cols + c] ?? 0;
      n[cell]! += 1;
    }
  }
  const kept = sum.map((s, i) => (n[i]! > 0 ? s / n[i]! : 0));
  return { rows, cols, kept };
}

/** Spectrum rows: rank i (1-based), σᵢ and the cumulative energy Σ_{j≤i} σⱼ² / Σσ² in %. */
export function spectrumRows(s: Spectrum) {
  return s.singularValues.map((sigma, i) => ({
    rank: i + 1,
    // a log axis cannot show 0: floor tiny values at 1e-6 of the largest
    sigma: Math.max(sigma, (s.singularValues[0] ?? 1) * 1e-6),
    energy: (s.cumulativeEnergy[i] ?? 0) * 100,
  }));
}

/** The temperatures shown as grouped bars. */
export const SHOWN_TEMPERATURES = [1, 2, 4, 8, 20] as const;

/** One row per class: p at each shown T (keys "T1", "T2", …) for the teacher or the student. */
export function softmaxRows(
  data: TemperatureData,
  who: 'teacher' | 'student',
  classNames: readonly string[],
): Record<string, number | string>[] {
  const points = (who === 'teacher' ? data.teacher : data.student) ?? [];
  const logits = who === 'teacher' ? data.teacherLogits : (data.studentLogits ?? []);
  return logits.map((_, c) => {
    const row: Record<string, number | string> = { cls: classNames[c] ?? String(c) };
    for (const t of SHOWN_TEMPERATURES) {
      const point = points.find((p) => p.temperature === t);
      if (point) row[`T${t}`] = point.probabilities[c] ?? 0;
    }
    return row;
  });
}

/** Entropy (nats) per temperature for the teacher and, when present, the student. */
export function entropyRows(data: TemperatureData) {
  return data.teacher.map((p, i) => ({
    temperature: p.temperature,
    teacher: p.entropyNats,
    student: data.student?.[i]?.entropyNats ?? null,
  }));
}
