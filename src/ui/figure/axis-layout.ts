// Axis ticks laid out in plain arithmetic from the plot's size in pixels and the width of each
// tick label, so ticks never overlap however narrow the card: a phone column, a variant card,
// half of a pair of charts. Labels are measured with a canvas (no DOM layout), passed in here so
// the rules can be tested in Node.
import { niceTicks } from '../common/ticks';

/** Width of a label in CSS px. */
export type Measure = (text: string) => number;

/** Free space kept between neighbouring tick labels, px. */
export const LABEL_GAP_PX = 8;
/** Angle of category labels that do not fit side by side, degrees. */
export const ROTATED_DEG = -40;

/** One end of a numeric domain: a number, the data's extreme, or 'auto' (rounded out to a tick). */
export type DomainEnd = number | 'dataMin' | 'dataMax' | 'auto';

/** Smallest and largest finite value of `keys` over `rows` (null when there is none). */
export function extentOf(
  rows: readonly object[],
  keys: readonly string[],
): { min: number; max: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    for (const key of keys) {
      const v = (row as Record<string, unknown>)[key];
      if (typeof v !== 'number' || !Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  return min <= max ? { min, max } : null;
}

/** Where value v sits along an axis of `lengthPx` spanning [lo, hi] (log10 when `log`). */
function positionOf(v: number, lo: number, hi: number, lengthPx: number, log: boolean): number {
  const f = (x: number) => (log ? Math.log10(x) : x);
  const span = f(hi) - f(lo);
  return span === 0 ? 0 : ((f(v) - f(lo)) / span) * lengthPx;
}

interface FitOptions {
  lengthPx: number;
  /** Text of a tick label (with its unit). */
  label: (v: number) => string;
  measure: Measure;
  /** Vertical axis: labels stack, so each needs its line height, not its width. */
  vertical?: boolean;
  fontPx?: number;
  log?: boolean;
}

/**
 * True when neighbouring labels of `ticks` on [lo, hi] keep LABEL_GAP_PX apart: centre distance ≥
 * (wᵢ + wᵢ₊₁)/2 + gap, with w the label's width (its line height on a vertical axis).
 */
export function ticksFit(ticks: readonly number[], lo: number, hi: number, o: FitOptions): boolean {
  const size = (v: number) => (o.vertical ? (o.fontPx ?? 12) : o.measure(o.label(v)));
  for (let i = 1; i < ticks.length; i++) {
    const a = ticks[i - 1]!;
    const b = ticks[i]!;
    const distance = Math.abs(
      positionOf(b, lo, hi, o.lengthPx, !!o.log) - positionOf(a, lo, hi, o.lengthPx, !!o.log),
    );
    if (distance < (size(a) + size(b)) / 2 + LABEL_GAP_PX) return false;
  }
  return true;
}

/** The most ticks an axis of `lengthPx` could hold at all (labels at least 20 px apart). */
function maxCount(lengthPx: number): number {
  return Math.max(1, Math.min(10, Math.floor(lengthPx / 20)));
}

/**
 * Nice ticks (1-2-5 steps) inside the fixed domain [lo, hi]: the most of them whose labels fit;
 * `integers` keeps whole numbers only. When no step leaves two fitting ticks inside the domain
 * (a short axis whose next coarser step overshoots it), every other tick of the coarsest step
 * that does; a single tick only when even that fails.
 */
export function fitTicksInDomain(
  lo: number,
  hi: number,
  o: FitOptions & { integers?: boolean },
): number[] {
  if (!(Number.isFinite(lo) && Number.isFinite(hi))) return [];
  if (hi === lo) return [lo];
  const eps = (hi - lo) * 1e-9;
  let thinned: number[] | null = null;
  let single: number[] | null = null;
  for (let count = maxCount(o.lengthPx); count >= 1; count--) {
    const ticks = niceTicks(lo, hi, count).filter(
      (t) => t >= lo - eps && t <= hi + eps && (!o.integers || Number.isInteger(t)),
    );
    const fits = ticksFit(ticks, lo, hi, o);
    if (ticks.length >= 2 && fits) return ticks;
    if (ticks.length >= 2) {
      const thin = thinTicks(ticks, lo, hi, o);
      if (thin.length >= 2) thinned = thin;
    } else if (ticks.length === 1) single ??= ticks;
  }
  return thinned ?? single ?? [lo];
}

/**
 * Nice ticks covering [min, max] and the domain rounded out to the first and last of them
 * (what a chart's 'auto' domain does): the most ticks whose labels fit.
 */
export function fitNiceDomain(
  min: number,
  max: number,
  o: FitOptions,
): { ticks: number[]; domain: [number, number] } {
  for (let count = maxCount(o.lengthPx); count >= 1; count--) {
    const ticks = niceTicks(min, max, count);
    const lo = ticks[0];
    const hi = ticks[ticks.length - 1];
    if (lo === undefined || hi === undefined) break;
    if (ticksFit(ticks, lo, hi, o) || count === 1) return { ticks, domain: [lo, hi] };
  }
  return { ticks: [min, max], domain: [min, max] };
}

/** Every k-th of the given ticks (k = 1, 2, …, always keeping the first), the fewest dropped that fit. */
export function thinTicks(
  ticks: readonly number[],
  lo: number,
  hi: number,
  o: FitOptions,
): number[] {
  for (let k = 1; k <= ticks.length; k++) {
    const kept = ticks.filter((_, i) => i % k === 0);
    if (ticksFit(kept, lo, hi, o)) return kept;
  }
  return ticks.slice(0, 1);
}

/** How many ticks a chart library should aim for when the values are not known here. */
export function tickCountFor(lengthPx: number, labelPx: number, vertical = false): number {
  const each = (vertical ? 12 : labelPx) + LABEL_GAP_PX + (vertical ? 12 : 0);
  return Math.max(2, Math.min(maxCount(lengthPx), Math.floor(lengthPx / each) + 1));
}

export interface CategoryLayout {
  /** 0 (side by side) or ROTATED_DEG. */
  angle: number;
  /** Labels skipped between two shown ones (0: every label). */
  interval: number;
  /** Height the labels need below the axis line, px. */
  heightPx: number;
  /** How far the first rotated label reaches left of its tick, px. */
  overhangPx: number;
}

/**
 * Category labels side by side when each fits its slot (lengthPx / n); otherwise rotated, and
 * thinned (every k-th) only when even rotated labels would touch: rotated by θ, neighbours are
 * slot·sin|θ| apart perpendicular to the text and need one line height.
 */
export function fitCategoryLabels(
  labels: readonly string[],
  lengthPx: number,
  measure: Measure,
  fontPx = 12,
): CategoryLayout {
  const n = Math.max(1, labels.length);
  const slot = lengthPx / n;
  const widths = labels.map(measure);
  const widest = Math.max(0, ...widths);
  if (widest + LABEL_GAP_PX <= slot) {
    return { angle: 0, interval: 0, heightPx: fontPx + 14, overhangPx: 0 };
  }
  const rad = (Math.abs(ROTATED_DEG) * Math.PI) / 180;
  const perLabel = slot * Math.sin(rad);
  const interval = Math.max(0, Math.ceil((fontPx + 2) / Math.max(1e-6, perLabel)) - 1);
  return {
    angle: ROTATED_DEG,
    interval,
    heightPx: Math.ceil(widest * Math.sin(rad) + fontPx * Math.cos(rad) + 12),
    overhangPx: Math.ceil((widths[0] ?? 0) * Math.cos(rad) - slot / 2),
  };
}
