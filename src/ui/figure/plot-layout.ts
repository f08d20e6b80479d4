// From a plot's size and its axis specs to what recharts needs: ticks that fit, category labels
// side by side or rotated, the room the axes take and the margins. Pure, so it is unit-tested.
import type { CategoryLayout, DomainEnd, Measure } from './axis-layout';
import {
  extentOf,
  fitCategoryLabels,
  fitNiceDomain,
  fitTicksInDomain,
  thinTicks,
  tickCountFor,
} from './axis-layout';

/** One axis of a <Plot>: what it shows and how its ticks read; the layout is worked out here. */
export interface AxisSpec {
  dataKey?: string;
  /** Axis title, with its unit: 'SQNR (dB)', 'sparsity of the pruned layer (%)'. */
  title?: string;
  /** Default: category for x, number for y (as recharts). */
  type?: 'number' | 'category';
  /** Default [0, 'auto'] (recharts'); numbers are widened to the data unless allowDataOverflow. */
  domain?: readonly [DomainEnd, DomainEnd];
  /** Candidate ticks, thinned to fit; without them nice 1-2-5 ticks are chosen for the size. */
  ticks?: readonly number[];
  scale?: 'linear' | 'log';
  /** Appended to every tick label ('%'). */
  unit?: string;
  /** Tick label of a number (before the unit). */
  format?: (v: number) => string;
  /** Tick label of a category. */
  formatCategory?: (v: string) => string;
  /** Data keys this axis shows, for the extent (default: dataKey). */
  keys?: readonly string[];
  /** The values' range when the data is not in `data` (series with their own data, stacks). */
  extent?: { min: number; max: number };
  /** Whole-number ticks only. */
  integers?: boolean;
  reversed?: boolean;
  allowDataOverflow?: boolean;
  allowDuplicatedCategory?: boolean;
  /** Fixed width (y) or height (x) of the axis, px; default fitted to the labels. */
  size?: number;
  fontPx?: number;
  /** Name of the axis values in tooltips. */
  name?: string;
}

export interface Margin {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export const DEFAULT_MARGIN: Margin = { top: 8, right: 12, bottom: 4, left: 4 };

/** Tick marks (6 px) and the gap to their labels, px. */
const TICK_ROOM_PX = 10;
/** Legend line estimate, px: recharts measures the real one. */
const LEGEND_PX = 28;

/** What the layout decided for one axis, in recharts' terms. */
export interface AxisLayout {
  type: 'number' | 'category';
  domain?: [DomainEnd, DomainEnd];
  ticks?: number[];
  tickCount?: number;
  interval: number;
  angle: number;
  /** Height of an x axis or width of a y axis, px. */
  size: number;
}

export interface PlotLayout {
  x: AxisLayout;
  y: AxisLayout;
  margin: Margin;
}

/** Text of a tick, before the unit (recharts appends the unit). */
export function tickTextOf(spec: AxisSpec): (v: unknown) => string {
  return (v) => {
    if (typeof v === 'number') return spec.format ? spec.format(v) : String(v);
    const text = String(v);
    return spec.formatCategory ? spec.formatCategory(text) : text;
  };
}

/** Text of a tick as drawn, with the unit. */
function labelOf(spec: AxisSpec): (v: unknown) => string {
  const text = tickTextOf(spec);
  return (v) => `${text(v)}${spec.unit ?? ''}`;
}

function keysOf(spec: AxisSpec): string[] {
  return [...(spec.keys ?? (spec.dataKey ? [spec.dataKey] : []))];
}

/** Numeric ticks and domain of one axis `lengthPx` long. */
function numericTicks(
  spec: AxisSpec,
  data: readonly object[],
  lengthPx: number,
  measure: Measure,
  vertical: boolean,
): Pick<AxisLayout, 'domain' | 'ticks' | 'tickCount'> {
  const label = labelOf(spec);
  const fontPx = spec.fontPx ?? 12;
  const log = spec.scale === 'log';
  const fit = { lengthPx, label, measure, vertical, fontPx, log };
  const extent = spec.extent ?? extentOf(data, keysOf(spec));
  const [lowEnd, highEnd] = spec.domain ?? [0, 'auto'];
  const end = (e: DomainEnd, fallback: number | undefined) =>
    typeof e === 'number'
      ? e
      : e === 'dataMin'
        ? extent?.min
        : e === 'dataMax'
          ? extent?.max
          : fallback;
  let lo = end(lowEnd, extent ? Math.min(0, extent.min) : undefined);
  let hi = end(highEnd, extent?.max);
  if (lowEnd === 'auto' && highEnd === 'auto' && extent) lo = extent.min;
  if (extent && !spec.allowDataOverflow) {
    if (lo !== undefined) lo = Math.min(lo, extent.min);
    if (hi !== undefined) hi = Math.max(hi, extent.max);
  }
  if (lo !== undefined && lo === hi) {
    // One value: open the range around it by a tenth of its magnitude (1 around 0).
    const pad = lo === 0 ? 1 : 10 ** Math.floor(Math.log10(Math.abs(lo))) / 10;
    if (typeof lowEnd !== 'number') lo -= pad;
    if (typeof highEnd !== 'number') hi = lo + (typeof lowEnd !== 'number' ? 2 * pad : pad);
  }
  const domain = spec.domain ? ([...spec.domain] as [DomainEnd, DomainEnd]) : undefined;
  if (spec.ticks) {
    const first = lo ?? Math.min(...spec.ticks);
    const last = hi ?? Math.max(...spec.ticks);
    return { domain, ticks: thinTicks(spec.ticks, first, last, fit) };
  }
  const guess = tickCountFor(lengthPx, measure(label(hi ?? 1000)), vertical);
  if (lo === undefined || hi === undefined || log) return { domain, tickCount: guess };
  if (lowEnd === 'auto' || highEnd === 'auto') {
    const nice = fitNiceDomain(lo, hi, fit);
    // A fixed end stays, unless the data reached past it: then it is rounded out like 'auto'.
    const from = typeof lowEnd === 'number' && lo === lowEnd ? lowEnd : nice.domain[0];
    const to = typeof highEnd === 'number' && hi === highEnd ? highEnd : nice.domain[1];
    const ticks = nice.ticks.filter(
      (t) => t >= from && t <= to && (!spec.integers || Number.isInteger(t)),
    );
    return { domain: [from, to], ticks };
  }
  return {
    domain: [lo, hi],
    ticks: fitTicksInDomain(lo, hi, { ...fit, integers: spec.integers }),
  };
}

function categoryLayout(
  spec: AxisSpec,
  data: readonly object[],
  lengthPx: number,
  measure: Measure,
): CategoryLayout {
  const label = labelOf(spec);
  const key = spec.dataKey;
  const labels = key ? data.map((row) => label((row as Record<string, unknown>)[key])) : [];
  return fitCategoryLabels(labels, lengthPx, measure, spec.fontPx ?? 12);
}

/**
 * Lays out a plot `width` × `height` px: the y axis first (its ticks from the height, its width
 * from their labels), then the x axis in the width that is left (nice ticks that fit, or
 * category labels side by side, rotated or thinned), then margins that keep the outermost labels
 * inside the chart.
 */
export function layoutPlot(args: {
  width: number;
  height: number;
  x: AxisSpec;
  y: AxisSpec;
  data: readonly object[];
  legend: boolean;
  margin?: Partial<Margin>;
  measure: Measure;
}): PlotLayout {
  const { x, y, data, measure } = args;
  const xFont = x.fontPx ?? 12;
  const yFont = y.fontPx ?? 12;
  const xType = x.type ?? 'category';
  const yType = y.type ?? 'number';
  const margin: Margin = { ...DEFAULT_MARGIN, ...args.margin };
  if (x.title && args.margin?.bottom === undefined) margin.bottom = xFont + 8;

  // y axis: ticks along the height left by the legend and the x axis. Category labels may need
  // rotating, which takes height: estimate their layout with a typical y axis width first.
  const xPlain = x.size ?? xFont + TICK_ROOM_PX + 6;
  const plotWidthFor = (yWidth: number) =>
    Math.max(20, args.width - margin.left - margin.right - yWidth);
  const firstCategories =
    xType === 'category' ? categoryLayout(x, data, plotWidthFor(48), measure) : null;
  const yLabel = labelOf(y);
  const yAxisFor = (xHeight: number) => {
    const plotHeight = Math.max(
      20,
      args.height - margin.top - margin.bottom - xHeight - (args.legend ? LEGEND_PX : 0),
    );
    const ticks = yType === 'number' ? numericTicks(y, data, plotHeight, measure, true) : {};
    const labels = (ticks.ticks ?? [0, 0.25, 0.5, 0.75, 1]).map((t) => measure(yLabel(t)));
    const width =
      y.size ?? Math.ceil(Math.max(20, ...labels) + TICK_ROOM_PX + (y.title ? yFont + 10 : 2));
    return { ticks, width };
  };
  let xHeight = x.size ?? firstCategories?.heightPx ?? xPlain;
  let yAxis = yAxisFor(xHeight);

  // x axis: in the width left beside the y axis.
  const plotWidth = plotWidthFor(yAxis.width);
  let xLayout: AxisLayout;
  const xLabel = labelOf(x);
  if (xType === 'category') {
    const c = categoryLayout(x, data, plotWidth, measure);
    // Taller labels than estimated (rotated after all): the y ticks get the shorter height.
    if (x.size === undefined && c.heightPx > xHeight) {
      xHeight = c.heightPx;
      yAxis = { ...yAxisFor(xHeight), width: yAxis.width };
    }
    xLayout = { type: 'category', interval: c.interval, angle: c.angle, size: xHeight };
    if (c.overhangPx > yAxis.width) {
      margin.left = Math.max(margin.left, c.overhangPx - yAxis.width + 4);
    }
  } else {
    const t = numericTicks(x, data, plotWidth, measure, false);
    xLayout = { type: 'number', ...t, interval: 0, angle: 0, size: xPlain };
    // The last label is centred on the plot's right edge: keep its right half inside the chart.
    const last = t.ticks?.[t.ticks.length - 1];
    if (last !== undefined && args.margin?.right === undefined) {
      margin.right = Math.max(margin.right, Math.ceil(measure(xLabel(last)) / 2) + 2);
    }
  }
  return {
    x: xLayout,
    y: { type: yType, ...yAxis.ticks, interval: 0, angle: 0, size: yAxis.width },
    margin,
  };
}
