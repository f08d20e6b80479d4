import { describe, expect, it } from 'vitest';
import type { Variant } from '../../experiment/stages';
import {
  distilledSources,
  drawnLevels,
  finishedRuns,
  inspectableSources,
  magnitudeRows,
  poolMask,
  pruneThreshold,
} from './view-data';

const variant = (id: string, technique: string): Variant =>
  ({ id, name: id.toUpperCase(), stages: [{ technique, params: {} }] }) as unknown as Variant;

describe('sources', () => {
  const variants = [variant('a', 'ptq'), variant('d', 'distill'), variant('d-alone', 'finetune')];
  const runs = { a: { status: 'done' }, d: { status: 'done' }, 'd-alone': { status: 'error' } };
  it('lists the teacher and finished variants only', () => {
    expect(inspectableSources(variants, runs).map((s) => s.value)).toEqual(['teacher', 'a', 'd']);
  });
  it('lists finished distilled variants and their baselines', () => {
    expect(distilledSources(variants, runs).map((s) => s.value)).toEqual(['d']);
    const all = { ...runs, 'd-alone': { status: 'done' } };
    expect(distilledSources(variants, all).map((s) => s.value)).toEqual(['d', 'd-alone']);
  });
  it('keeps finished runs only, with values that stay identical while others progress', () => {
    const first = finishedRuns({ ...runs, b: { status: 'running' } });
    const later = finishedRuns({ ...runs, b: { status: 'measuring' } });
    expect(Object.keys(first)).toEqual(['a', 'd']);
    expect(first.a).toBe(later.a);
  });
});

describe('drawnLevels', () => {
  it('draws up to the limit and nothing beyond it', () => {
    expect(drawnLevels([-1, 0, 1], 3)).toEqual([-1, 0, 1]);
    expect(drawnLevels([-1, 0, 1], 2)).toEqual([]);
    expect(drawnLevels(null)).toEqual([]);
  });
});

describe('magnitude histogram', () => {
  const h = { edges: [0, 0.1, 0.2, 0.3], kept: [0, 2, 5], pruned: 7 };
  it('puts the pruned count first, then the kept bins', () => {
    const rows = magnitudeRows(h);
    expect(rows.map((r) => r.pruned)).toEqual([7, 0, 0, 0]);
    rows.forEach((r, i) => expect(r.x).toBeCloseTo(-0.05 + 0.1 * i, 12));
    expect(rows.map((r) => r.kept)).toEqual([0, 0, 2, 5]);
  });
  it('marks the threshold at the first non-empty kept bin, only when something was pruned', () => {
    expect(pruneThreshold(h)).toBe(0.1);
    expect(pruneThreshold({ ...h, pruned: 0 })).toBeNull();
  });
});

describe('poolMask', () => {
  it('keeps a small mask as is', () => {
    const m = poolMask({ rows: 2, cols: 2, values: [1, 0, 0, 1] }, 4);
    expect(m.rows).toBe(2);
    expect(Array.from(m.kept)).toEqual([1, 0, 0, 1]);
  });
  it('averages blocks of a large mask', () => {
    // 4 × 4 pooled to 2 × 2: top-left block all kept, top-right half, bottom rows pruned
    const values = [1, 1, 1, 0, 1, 1, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
    const m = poolMask({ rows: 4, cols: 4, values }, 2);
    expect([m.rows, m.cols]).toEqual([2, 2]);
    expect(Array.from(m.kept)).toEqual([1, 0.5, 0, 0]);
  });
});
