// Geometry of LiveChart in plain arithmetic (no React, no DOM): scales, nice domains, tick
// positions and labels, the plot rectangle and the nearest point under a pointer. Text widths come
// in through a `measure` function so the layout can be tested in Node.
import { niceTicks } from './ticks';

export type Domain = readonly [number, number];

export interface ChartPoint {
  x: number;
  y: number;
}

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface Tick {
  value: number;
  /** Position along the axis, CSS px from the chart's top-left corner. */
  px: number;
  label: string;
}

export interface AxisLayout {
  domain: Domain;
  ticks: Tick[];
  /** Data value → CSS px. */
  scale: (v: number) => number;
}

export interface ChartLayout {
  plot: Rect;
  x: AxisLayout;
  left: AxisLayout;
  right?: AxisLayout;
}

/** Font size of tick labels and axis titles, px; titles sit in a band this tall plus a gap. */
export const FONT_PX = 12;
/** Length of an axis tick mark, px. */
export const TICK_PX = 4;
const GAP_PX = 4;
const TOP_PX = 8;

/** Linear map: r0 + (v − d0)·(r1 − r0)/(d1 − d0); a zero-width domain maps to (r0 + r1)/2. */
export function linearScale(domain: Domain, range: Domain): (v: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** [min, max] of the finite values, or undefined when there are none. */
export function finiteExtent(values: Iterable<number>): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}

/**
 * Axis domain and tick values. Explicit ticks: those inside the fixed domain (else the domain is
 * their extent). Fixed domain: kept exactly, ticks = niceTicks inside it. Otherwise the data
 * extent (∪ {0} when includeZero; a single value v widened by ±|v|/10, or ±1 at 0) padded out to
 * the first and last nice tick.
 */
export function niceAxis(
  values: Iterable<number>,
  count: number,
  options: { fixed?: Domain; includeZero?: boolean; ticks?: readonly number[] } = {},
): { domain: Domain; ticks: number[] } {
  if (options.ticks) {
    const ticks = options.ticks.filter((t) => inside(t, options.fixed));
    const [lo, hi] = finiteExtent(options.ticks) ?? [0, 1];
    return { domain: options.fixed ?? [lo, hi], ticks };
  }
  if (options.fixed) {
    const [lo, hi] = options.fixed;
    const ticks = niceTicks(lo, hi, count).filter((t) => inside(t, options.fixed));
    return { domain: [lo, hi], ticks };
  }
  let [lo, hi] = finiteExtent(values) ?? [0, 1];
  if (options.includeZero) [lo, hi] = [Math.min(lo, 0), Math.max(hi, 0)];
  if (lo === hi) {
    if (options.includeZero && lo === 0) hi = 1;
    else {
      const pad = Math.abs(lo) / 10 || 1;
      [lo, hi] = [lo - pad, hi + pad];
    }
  }
  const ticks = niceTicks(lo, hi, count);
  return { domain: [ticks[0] ?? lo, ticks[ticks.length - 1] ?? hi], ticks };
}

/** Fewest decimals (0..6) that print every tick exactly: min d with t·10^d an integer for all t. */
export function tickDecimals(ticks: readonly number[]): number {
  for (let d = 0; d < 6; d++) {
    const m = 10 ** d;
    if (ticks.every((t) => Math.abs(t * m - Math.round(t * m)) < 1e-6)) return d;
  }
  return 6;
}

/** A value for a tooltip: integers as they are, else 3 significant digits (no trailing zeros). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v) || Math.abs(v) >= 100) return v.toFixed(0);
  return String(Number(v.toPrecision(3)));
}

/**
 * Index of the point whose x is nearest to `x` (binary search; points sorted by ascending x), the
 * earlier one on a tie; −1 when there are no points.
 */
export function nearestIndex(points: readonly ChartPoint[], x: number): number {
  if (points.length === 0) return -1;
  let lo = 0;
  let hi = points.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid]!.x < x) lo = mid + 1;
    else hi = mid;
  }
  // lo = first index with x ≥ target (or the last index): compare with its left neighbour.
  if (lo > 0 && x - points[lo - 1]!.x <= points[lo]!.x - x) return lo - 1;
  return lo;
}

/** Centre of a line `lineDevicePx` device pixels wide on the device grid: (round(v·dpr − w/2) + w/2)/dpr, CSS px. */
export function crisp(v: number, dpr: number, lineDevicePx = 1): number {
  const half = lineDevicePx / 2;
  return (Math.round(v * dpr - half) + half) / dpr;
}

/** One line of a chart: its points sorted by ascending x (a non-finite y breaks the line). */
export interface SeriesSpec {
  name: string;
  colour: string;
  axis: 'left' | 'right';
  points: readonly ChartPoint[];
  dashed?: boolean;
  /** Draw a dot on every point while there is room (for short series such as one per epoch). */
  dots?: boolean;
  /** Tooltip text of a y value (default: formatValue and the axis unit). */
  format?: (y: number) => string;
}

/** What a chart shows: its series, axis titles, optional fixed domains and ticks, units. */
export interface ChartSpec {
  series: readonly SeriesSpec[];
  xLabel: string;
  leftLabel: string;
  rightLabel?: string;
  /** Fixed domains (else from the data, padded to nice ticks; the y axes include 0). */
  xDomain?: Domain;
  leftDomain?: Domain;
  rightDomain?: Domain;
  /** Explicit tick values (e.g. whole epochs), instead of nice ticks. */
  xTicks?: readonly number[];
  leftTicks?: readonly number[];
  rightTicks?: readonly number[];
  leftUnit?: string;
  rightUnit?: string;
  /** Height of the plot, CSS px. */
  height: number;
}

function inside(v: number, domain: Domain | undefined): boolean {
  if (!domain) return true;
  const eps = Math.abs(domain[1] - domain[0]) * 1e-9;
  return v >= Math.min(...domain) - eps && v <= Math.max(...domain) + eps;
}

function ys(spec: ChartSpec, axis: 'left' | 'right'): number[] {
  return spec.series.filter((s) => s.axis === axis).flatMap((s) => s.points.map((p) => p.y));
}

function labelled(ticks: readonly number[], unit = ''): { value: number; label: string }[] {
  const d = tickDecimals(ticks);
  return ticks.map((value) => ({ value, label: value.toFixed(d) + unit }));
}

function axis(
  domain: Domain,
  labels: { value: number; label: string }[],
  range: Domain,
): AxisLayout {
  const scale = linearScale(domain, range);
  return { domain, scale, ticks: labels.map((t) => ({ ...t, px: scale(t.value) })) };
}

/**
 * Plot rectangle and axes of a chart `width` CSS px wide. Margins, px: top 8; bottom = tick + gap
 * + font (+ gap + font for an x title); left = widest left label + tick + gap (+ font + gap for a
 * title); right likewise, or half the last x label without a right axis. Y ticks: one per ~30 px of
 * height; x ticks: one per ~70 px of width (at least 3).
 */
export function layoutChart(
  spec: ChartSpec,
  width: number,
  measure: (text: string) => number,
): ChartLayout {
  const widest = (labels: { label: string }[]) =>
    labels.reduce((w, t) => Math.max(w, measure(t.label)), 0);
  const bottom = TICK_PX + GAP_PX + FONT_PX + (spec.xLabel ? GAP_PX + FONT_PX : 0) + 2;
  const plotHeight = Math.max(1, spec.height - TOP_PX - bottom);
  const yCount = Math.max(2, Math.min(6, Math.floor(plotHeight / 30)));
  const y = (side: 'left' | 'right') =>
    niceAxis(ys(spec, side), yCount, {
      fixed: side === 'left' ? spec.leftDomain : spec.rightDomain,
      ticks: side === 'left' ? spec.leftTicks : spec.rightTicks,
      includeZero: true,
    });
  const left = y('left');
  const leftLabels = labelled(left.ticks, spec.leftUnit);
  const hasRight = spec.series.some((s) => s.axis === 'right');
  const right = hasRight ? y('right') : undefined;
  const rightLabels = right ? labelled(right.ticks, spec.rightUnit) : [];
  const leftMargin =
    (spec.leftLabel ? FONT_PX + GAP_PX : 0) + widest(leftLabels) + TICK_PX + GAP_PX;
  const rightAxisMargin = right
    ? widest(rightLabels) + TICK_PX + GAP_PX + (spec.rightLabel ? FONT_PX + GAP_PX : 0)
    : 0;
  // The x tick count depends on the plot width, known only once the x labels are: estimate it.
  const guessWidth = Math.max(1, width - leftMargin - Math.max(rightAxisMargin, 16));
  const xCount = Math.max(3, Math.min(8, Math.floor(guessWidth / 70)));
  const x = niceAxis(
    spec.series.flatMap((s) => s.points.map((p) => p.x)),
    xCount,
    { fixed: spec.xDomain, ticks: spec.xTicks },
  );
  const xLabels = labelled(x.ticks);
  const overhang = widest(xLabels.slice(-1)) / 2 + 2;
  const rightMargin = right ? rightAxisMargin : Math.max(8, overhang);
  const plot: Rect = {
    left: leftMargin,
    top: TOP_PX,
    width: Math.max(1, width - leftMargin - rightMargin),
    height: plotHeight,
  };
  const yRange: Domain = [plot.top + plot.height, plot.top];
  const layout: ChartLayout = {
    plot,
    x: axis(x.domain, xLabels, [plot.left, plot.left + plot.width]),
    left: axis(left.domain, leftLabels, yRange),
  };
  if (right) layout.right = axis(right.domain, rightLabels, yRange);
  return layout;
}

/** The series with the most points (the first on a tie): the guide snaps to its x values. */
export function longestSeries(series: readonly SeriesSpec[]): SeriesSpec | undefined {
  return series.reduce<SeriesSpec | undefined>(
    (best, s) => (s.points.length > (best?.points.length ?? 0) ? s : best),
    undefined,
  );
}

/** Guide index after a key: ←/→ step by `stride` (from the last point when none), Home/End. */
export function indexAfterKey(key: string, at: number, count: number, stride = 1): number | null {
  const last = count - 1;
  if (count === 0) return null;
  if (key === 'Home') return 0;
  if (key === 'End') return last;
  if (key !== 'ArrowLeft' && key !== 'ArrowRight') return null;
  if (at < 0) return last;
  return Math.max(0, Math.min(last, at + (key === 'ArrowLeft' ? -stride : stride)));
}

export interface GuideRow {
  series: SeriesSpec;
  /** Position of the series' nearest point, CSS px. */
  px: number;
  py: number;
  text: string;
}

/** Each series' point nearest to x, placed on the layout, with its tooltip text. */
export function guideRows(spec: ChartSpec, layout: ChartLayout, x: number): GuideRow[] {
  return spec.series.flatMap((s) => {
    const p = s.points[nearestIndex(s.points, x)];
    const yAxis = s.axis === 'right' ? layout.right : layout.left;
    if (!p || !yAxis) return [];
    const unit = (s.axis === 'right' ? spec.rightUnit : spec.leftUnit) ?? '';
    const text = s.format ? s.format(p.y) : formatValue(p.y) + unit;
    return [{ series: s, px: layout.x.scale(p.x), py: yAxis.scale(p.y), text }];
  });
}
