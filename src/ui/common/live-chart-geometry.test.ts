import { describe, expect, it } from 'vitest';
import {
  FONT_PX,
  TICK_PX,
  crisp,
  finiteExtent,
  formatValue,
  guideRows,
  indexAfterKey,
  layoutChart,
  longestSeries,
  linearScale,
  nearestIndex,
  niceAxis,
  tickDecimals,
} from './live-chart-geometry';
import type { ChartSpec, SeriesSpec } from './live-chart-geometry';

/** Every character 7 px wide: widths in the tests are then easy to compute by hand. */
const measure = (text: string) => 7 * text.length;

describe('linearScale', () => {
  it('maps the domain onto the range, inverted ranges included', () => {
    const s = linearScale([0, 100], [200, 0]);
    expect(s(0)).toBe(200);
    expect(s(100)).toBe(0);
    expect(s(25)).toBe(150);
    expect(s(150)).toBe(-100);
    expect(linearScale([1, 3], [10, 30])(2.5)).toBe(25);
  });
  it('maps a zero-width domain to the middle of the range', () => {
    expect(linearScale([4, 4], [0, 50])(4)).toBe(25);
  });
});

describe('finiteExtent', () => {
  it('ignores NaN and infinities', () => {
    expect(finiteExtent([3, Number.NaN, -2, Infinity, 7])).toEqual([-2, 7]);
    expect(finiteExtent([Number.NaN])).toBeUndefined();
    expect(finiteExtent([])).toBeUndefined();
  });
});

describe('niceAxis', () => {
  it('pads the data out to nice ticks, from zero when asked', () => {
    expect(niceAxis([1, 1410], 5)).toEqual({ domain: [0, 1500], ticks: [0, 500, 1000, 1500] });
    expect(niceAxis([0.31, 1.08], 6, { includeZero: true })).toEqual({
      domain: [0, 1.2],
      ticks: [0, 0.2, 0.4, 0.6, 0.8, 1, 1.2],
    });
    expect(niceAxis([0.31, 1.08], 6).domain).toEqual([0.2, 1.2]);
    expect(niceAxis([0.31, 1.08], 4, { includeZero: true }).ticks).toEqual([0, 0.5, 1, 1.5]);
  });
  it('keeps a fixed domain exactly and only the ticks inside it', () => {
    expect(niceAxis([5, 500], 5, { fixed: [0, 100] })).toEqual({
      domain: [0, 100],
      ticks: [0, 20, 40, 60, 80, 100],
    });
    expect(niceAxis([], 4, { fixed: [1, 30] }).ticks).toEqual([10, 20, 30]);
  });
  it('uses explicit ticks inside a fixed domain, else spans them', () => {
    expect(niceAxis([3, 7], 5, { ticks: [0, 25, 50, 75, 100] })).toEqual({
      domain: [0, 100],
      ticks: [0, 25, 50, 75, 100],
    });
    expect(niceAxis([], 5, { ticks: [0, 1, 2, 3], fixed: [1, 2.5] })).toEqual({
      domain: [1, 2.5],
      ticks: [1, 2],
    });
  });
  it('widens a single value and survives no data', () => {
    expect(niceAxis([0], 4, { includeZero: true }).domain).toEqual([0, 1]);
    expect(niceAxis([10], 4).domain).toEqual([9, 11]);
    expect(niceAxis([Number.NaN], 5).domain).toEqual([0, 1]);
  });
});

describe('tickDecimals and formatValue', () => {
  it('uses the fewest decimals that print every tick', () => {
    expect(tickDecimals([0, 500, 1000])).toBe(0);
    expect(tickDecimals([0, 0.5, 1])).toBe(1);
    expect(tickDecimals([0, 0.25, 0.5])).toBe(2);
    expect(tickDecimals([0.1, 0.2, 0.30000000000000004])).toBe(1);
  });
  it('prints integers whole and other values to 3 significant digits', () => {
    expect(formatValue(1234)).toBe('1234');
    expect(formatValue(0.012345)).toBe('0.0123');
    expect(formatValue(97.06)).toBe('97.1');
    expect(formatValue(0.5)).toBe('0.5');
    expect(formatValue(Number.NaN)).toBe('NaN');
  });
});

describe('nearestIndex', () => {
  const points = [1, 2, 4, 8, 16].map((x) => ({ x, y: 0 }));
  it('finds the nearest x, the earlier point on a tie', () => {
    expect(nearestIndex(points, -5)).toBe(0);
    expect(nearestIndex(points, 2.9)).toBe(1);
    expect(nearestIndex(points, 3)).toBe(1);
    expect(nearestIndex(points, 3.1)).toBe(2);
    expect(nearestIndex(points, 8)).toBe(3);
    expect(nearestIndex(points, 12.5)).toBe(4);
    expect(nearestIndex(points, 99)).toBe(4);
  });
  it('agrees with a linear scan on random data', () => {
    const xs = Array.from({ length: 50 }, (_, i) => ({ x: i * i * 0.37, y: 0 }));
    for (let q = -10; q < 950; q += 3.3) {
      const d = xs.map((p) => Math.abs(p.x - q));
      expect(nearestIndex(xs, q)).toBe(d.indexOf(Math.min(...d)));
    }
  });
  it('returns −1 without points', () => {
    expect(nearestIndex([], 3)).toBe(-1);
  });
});

describe('crisp', () => {
  it('puts a line on a device pixel centre', () => {
    expect(crisp(10, 1)).toBe(10.5);
    expect(crisp(10.2, 2)).toBe(10.25);
    expect(crisp(7.9, 1)).toBe(7.5);
    // Two device pixels wide at dpr 2: centred on a device pixel boundary.
    expect(crisp(10.2, 2, 2)).toBe(10);
    expect(crisp(10.3, 2, 2)).toBe(10.5);
  });
});

const line = (xs: number[], ys: number[]) => xs.map((x, i) => ({ x, y: ys[i]! }));
const loss: SeriesSpec = {
  name: 'loss',
  colour: '#00f',
  axis: 'left',
  points: line([1, 1410], [1.1, 0.02]),
};
const acc: SeriesSpec = {
  name: 'accuracy',
  colour: '#f80',
  axis: 'right',
  points: line([1, 700, 1410], [50, 90, 100]),
};
const base: ChartSpec = { series: [loss], xLabel: 'step', leftLabel: 'loss', height: 180 };

describe('layoutChart', () => {
  it('leaves room for labels and titles, and places ticks on the plot edges', () => {
    const spec = { ...base, series: [loss, acc], rightDomain: [0, 100] as const, rightUnit: '%' };
    const layout = layoutChart(spec, 400, measure);
    const bottom = TICK_PX + 4 + FONT_PX + 4 + FONT_PX + 2;
    expect(layout.plot.top).toBe(8);
    expect(layout.plot.height).toBe(180 - 8 - bottom);
    // 134 px tall plot → about 4 intervals, nice ones: "0.0" … "1.5" (21 px), a title band of 16, tick 4, gap 4.
    expect(layout.left.ticks.map((t) => t.label)).toEqual(['0.0', '0.5', '1.0', '1.5']);
    expect(layout.plot.left).toBe(16 + 21 + 4 + 4);
    // Right labels "100%" are 4 chars = 28 px, then tick 4 and gap 4, no title.
    expect(layout.plot.width).toBe(400 - layout.plot.left - (28 + 8));
    const right = layout.right!;
    expect(right.ticks.map((t) => t.label)).toEqual(['0%', '50%', '100%']);
    expect(right.ticks[0]!.px).toBe(layout.plot.top + layout.plot.height);
    expect(right.ticks[2]!.px).toBe(layout.plot.top);
    expect(layout.x.domain).toEqual([0, 1500]);
    expect(layout.x.ticks[0]!.px).toBe(layout.plot.left);
    expect(layout.x.ticks.at(-1)!.px).toBe(layout.plot.left + layout.plot.width);
  });
  it('reserves half the last x label on the right when there is no right axis', () => {
    const epochs = { ...base, xDomain: [1, 30] as const, xTicks: [1, 10, 20, 30] };
    const layout = layoutChart(epochs, 400, measure);
    expect(layout.right).toBeUndefined();
    expect(layout.x.ticks.map((t) => t.label)).toEqual(['1', '10', '20', '30']);
    // Half of "30" (14 px) + 2.
    expect(layout.plot.width).toBe(400 - layout.plot.left - 9);
    const wide = { ...base, series: [{ ...loss, points: line([1, 123456], [1, 0]) }] };
    // Ticks 0 … 150000: half of "150000" (42 px) + 2.
    expect(layoutChart(wide, 400, measure).plot.width).toBe(400 - 45 - 21 - 2);
  });
  it('drops explicit x ticks outside a fixed x domain', () => {
    const layout = layoutChart({ ...base, xDomain: [1, 5], xTicks: [0, 1, 3, 5, 6] }, 400, measure);
    expect(layout.x.ticks.map((t) => t.value)).toEqual([1, 3, 5]);
  });
  it('takes explicit y ticks', () => {
    const spec = { ...base, series: [loss, acc], rightTicks: [0, 25, 50, 75, 100], rightUnit: '%' };
    const layout = layoutChart(spec, 400, measure);
    expect(layout.right!.ticks.map((t) => t.label)).toEqual(['0%', '25%', '50%', '75%', '100%']);
    expect(layout.right!.ticks[1]!.px).toBeCloseTo(layout.plot.top + layout.plot.height * 0.75);
  });
  it('uses fewer ticks on a small chart', () => {
    const small = layoutChart({ ...base, height: 100 }, 200, measure);
    const large = layoutChart({ ...base, height: 300 }, 900, measure);
    expect(small.left.ticks.length).toBeLessThan(large.left.ticks.length);
    expect(small.x.ticks.length).toBeLessThan(large.x.ticks.length);
  });
});

describe('guide', () => {
  it('snaps to the longest series', () => {
    expect(longestSeries([loss, acc])).toBe(acc);
    expect(longestSeries([loss, { ...acc, points: loss.points }])).toBe(loss);
    expect(longestSeries([])).toBeUndefined();
  });
  it('moves by keys, clamped to the ends, starting from the last point', () => {
    expect(indexAfterKey('ArrowLeft', -1, 5)).toBe(4);
    expect(indexAfterKey('ArrowRight', -1, 5)).toBe(4);
    expect(indexAfterKey('ArrowLeft', 3, 5)).toBe(2);
    expect(indexAfterKey('ArrowRight', 3, 5)).toBe(4);
    expect(indexAfterKey('ArrowRight', 4, 5)).toBe(4);
    expect(indexAfterKey('ArrowLeft', 3, 5, 10)).toBe(0);
    expect(indexAfterKey('Home', 3, 5)).toBe(0);
    expect(indexAfterKey('End', 0, 5)).toBe(4);
    expect(indexAfterKey('a', 3, 5)).toBeNull();
    expect(indexAfterKey('ArrowLeft', -1, 0)).toBeNull();
  });
  it('lists each series at its nearest point with units or its own format', () => {
    const spec = {
      ...base,
      series: [loss, { ...acc, format: (y: number) => `${y.toFixed(1)} pct` }],
      rightUnit: '%',
    };
    const layout = layoutChart(spec, 400, measure);
    const rows = guideRows(spec, layout, 600);
    expect(rows.map((r) => r.text)).toEqual(['1.1', '90.0 pct']);
    expect(rows[0]!.px).toBe(layout.x.scale(1));
    expect(rows[1]!.px).toBe(layout.x.scale(700));
    expect(rows[1]!.py).toBe(layout.right!.scale(90));
    const plain = guideRows({ ...spec, series: [acc] }, layout, 1400);
    expect(plain.map((r) => r.text)).toEqual(['100%']);
  });
});
