import { describe, expect, it } from 'vitest';
import { ticksFit } from './axis-layout';
import { layoutPlot } from './plot-layout';

const measure = (text: string) => 7 * text.length;

describe('layoutPlot', () => {
  const curve = Array.from({ length: 50 }, (_, i) => ({ x: -2 + (4 * i) / 49, y: i }));

  it('chooses fewer x ticks in half a card than in a whole one, all of them fitting', () => {
    const spec = {
      x: {
        dataKey: 'x',
        type: 'number' as const,
        domain: ['dataMin', 'dataMax'] as const,
        format: (v: number) => v.toPrecision(2),
        title: 'input x',
      },
      y: { keys: ['y'], title: 'forward' },
      data: curve,
      legend: false,
      measure,
      height: 170,
    };
    const half = layoutPlot({ ...spec, width: 160 });
    const whole = layoutPlot({ ...spec, width: 360 });
    expect(half.x.ticks!.length).toBeLessThan(whole.x.ticks!.length);
    const plotWidth = 160 - half.margin.left - half.margin.right - half.y.size;
    const label = (v: number) => v.toPrecision(2);
    expect(ticksFit(half.x.ticks!, -2, 2, { lengthPx: plotWidth, label, measure })).toBe(true);
  });

  it('rounds an auto y domain out to nice ticks from 0 and sizes the axis to its labels', () => {
    const layout = layoutPlot({
      width: 300,
      height: 200,
      x: { dataKey: 'x', type: 'number' },
      y: { keys: ['y'], unit: '%' },
      data: curve,
      legend: true,
      measure,
    });
    expect(layout.y.domain?.[0]).toBe(0);
    expect(layout.y.domain?.[1]).toBeGreaterThanOrEqual(49);
    expect(layout.y.ticks?.[0]).toBe(0);
    // "50%": 21 px of label, the tick marks and no title.
    expect(layout.y.size).toBeGreaterThanOrEqual(21 + 10);
  });

  it('keeps the last x label inside the chart', () => {
    const layout = layoutPlot({
      width: 300,
      height: 200,
      x: { type: 'number', domain: [128, 2048], ticks: [128, 2048], format: () => '2048 KiB' },
      y: { domain: [0, 1] },
      data: [],
      legend: false,
      measure,
    });
    expect(layout.margin.right).toBeGreaterThanOrEqual((7 * 8) / 2);
  });

  it('opens a one-value range so the axis still has a span', () => {
    const layout = layoutPlot({
      width: 300,
      height: 200,
      x: { dataKey: 'bits' },
      y: { keys: ['acc'], domain: ['auto', 'auto'] },
      data: [
        { bits: 8, acc: 98.5 },
        { bits: 4, acc: 98.5 },
      ],
      legend: false,
      measure,
    });
    const [lo, hi] = layout.y.domain as [number, number];
    expect(lo).toBeLessThan(98.5);
    expect(hi).toBeGreaterThan(98.5);
  });

  it('rotates category labels that do not fit side by side and makes room for them', () => {
    const data = Array.from({ length: 9 }, (_, i) => ({ variant: `Distilled student ${i}` }));
    const layout = layoutPlot({
      width: 340,
      height: 330,
      x: { dataKey: 'variant' },
      y: { domain: [0, 100] },
      data,
      legend: true,
      measure,
    });
    expect(layout.x.angle).toBeLessThan(0);
    expect(layout.x.size).toBeGreaterThan(60);
    // The y ticks were chosen for the height the rotated labels leave (legend ~28 px).
    const plotHeight = 330 - layout.margin.top - layout.margin.bottom - layout.x.size - 28;
    const ticks = layout.y.ticks!;
    expect(plotHeight / (ticks.length - 1)).toBeGreaterThanOrEqual(12 + 8);
  });
});

describe('layoutPlot with data below a fixed 0', () => {
  it('rounds the widened end out instead of cutting the data off', () => {
    const data = [{ y: -1.4 }, { y: 1.4 }];
    const layout = layoutPlot({
      width: 200,
      height: 170,
      x: { type: 'number' },
      y: { keys: ['y'] },
      data,
      legend: false,
      measure: (t) => 7 * t.length,
    });
    const [lo, hi] = layout.y.domain as [number, number];
    expect(lo).toBeLessThanOrEqual(-1.4);
    expect(hi).toBeGreaterThanOrEqual(1.4);
    expect(layout.y.ticks).toContain(0);
  });
});
