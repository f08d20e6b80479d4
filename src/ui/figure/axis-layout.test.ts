import { describe, expect, it } from 'vitest';
import {
  extentOf,
  fitCategoryLabels,
  fitNiceDomain,
  fitTicksInDomain,
  LABEL_GAP_PX,
  ROTATED_DEG,
  thinTicks,
  ticksFit,
} from './axis-layout';

/** 7 px a character: close to a 12 px system font. */
const measure = (text: string) => 7 * text.length;
const label = (v: number) => String(v);

describe('ticksFit', () => {
  it('needs half of each neighbour label plus the gap between tick centres', () => {
    // "10" and "20" are 14 px wide: centres need 14 + gap apart.
    const o = { lengthPx: 14 + LABEL_GAP_PX, label, measure };
    expect(ticksFit([10, 20], 10, 20, o)).toBe(true);
    expect(ticksFit([10, 20], 10, 20, { ...o, lengthPx: 13 + LABEL_GAP_PX })).toBe(false);
  });

  it('stacks labels on a vertical axis: the line height counts, not the width', () => {
    const o = { lengthPx: 20, label: () => 'a very long label', measure, vertical: true };
    expect(ticksFit([0, 1], 0, 1, { ...o, fontPx: 12 })).toBe(true);
  });
});

describe('fitTicksInDomain', () => {
  it('gives a wide axis many nice ticks and a narrow one few, never overlapping', () => {
    const o = { label: (v: number) => v.toFixed(2), measure };
    const wide = fitTicksInDomain(-1.4, 1.4, { ...o, lengthPx: 400 });
    const narrow = fitTicksInDomain(-1.4, 1.4, { ...o, lengthPx: 110 });
    expect(wide.length).toBeGreaterThan(narrow.length);
    expect(narrow.length).toBeGreaterThanOrEqual(2);
    for (const ticks of [wide, narrow]) {
      expect(ticks.every((t) => t >= -1.4 && t <= 1.4)).toBe(true);
    }
    expect(ticksFit(narrow, -1.4, 1.4, { ...o, lengthPx: 110 })).toBe(true);
    // Step 1 puts -1, 0, 1 too close and step 2 leaves only 0 inside: every other of step 1.
    expect(narrow).toEqual([-1, 1]);
  });

  it('keeps whole numbers only for a rank axis', () => {
    expect(fitTicksInDomain(1, 2, { lengthPx: 300, label, measure, integers: true })).toEqual([
      1, 2,
    ]);
  });

  it('does not end on a tick squeezed against the domain edge', () => {
    // Entropy of 2 classes: [0, ln 2]; 0.69 right above 0.6 would overlap on a short axis.
    const ticks = fitTicksInDomain(0, 0.69, {
      lengthPx: 110,
      label: (v) => v.toFixed(2),
      measure,
      vertical: true,
    });
    expect(ticks).toEqual([0, 0.2, 0.4, 0.6]);
  });
});

describe('fitNiceDomain', () => {
  it('rounds the domain out to the first and last tick', () => {
    const { ticks, domain } = fitNiceDomain(3, 97, { lengthPx: 300, label, measure });
    expect(domain).toEqual([ticks[0], ticks[ticks.length - 1]]);
    expect(domain[0]).toBeLessThanOrEqual(3);
    expect(domain[1]).toBeGreaterThanOrEqual(97);
  });
});

describe('thinTicks', () => {
  it('drops every other given tick until the labels fit', () => {
    const ticks = [128, 256, 512, 1024, 2048];
    const o = { lengthPx: 120, label: (v: number) => `${v} B`, measure, log: true };
    const kept = thinTicks(ticks, 128, 2048, o);
    expect(kept[0]).toBe(128);
    expect(kept.length).toBeLessThan(ticks.length);
    expect(ticksFit(kept, 128, 2048, o)).toBe(true);
    expect(thinTicks(ticks, 128, 2048, { ...o, lengthPx: 1000 })).toEqual(ticks);
  });
});

describe('fitCategoryLabels', () => {
  it('keeps labels side by side when each fits its slot', () => {
    const layout = fitCategoryLabels(['dense1', 'dense2', 'logits'], 300, measure);
    expect(layout).toMatchObject({ angle: 0, interval: 0 });
  });

  it('rotates long labels, and thins them only when even rotated ones would touch', () => {
    const names = Array.from({ length: 9 }, (_, i) => `variant number ${i}`);
    const roomy = fitCategoryLabels(names, 400, measure);
    expect(roomy).toMatchObject({ angle: ROTATED_DEG, interval: 0 });
    expect(roomy.heightPx).toBeGreaterThan(60);
    const cramped = fitCategoryLabels(names, 120, measure);
    expect(cramped.angle).toBe(ROTATED_DEG);
    expect(cramped.interval).toBeGreaterThan(0);
  });
});

describe('extentOf', () => {
  it('reads the finite values of the given keys', () => {
    const rows = [
      { a: 1, b: -2 },
      { a: Number.NaN, b: 5 },
      { a: 3, b: null },
    ];
    expect(extentOf(rows, ['a', 'b'])).toEqual({ min: -2, max: 5 });
    expect(extentOf(rows, ['c'])).toBeNull();
  });
});
