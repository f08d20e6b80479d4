import { describe, expect, it } from 'vitest';
import {
  confusionDiff,
  confusionFromPredictions,
  diffSources,
  disagreementCount,
  disagreements,
  divergingColour,
} from './diff';

describe('confusionFromPredictions', () => {
  it('counts (true, predicted) pairs row-major', () => {
    const labels = Uint8Array.from([0, 0, 1, 1, 2, 2]);
    const preds = Uint8Array.from([0, 1, 1, 1, 0, 2]);
    expect(confusionFromPredictions(labels, preds, 3)).toEqual([1, 1, 0, 0, 2, 0, 1, 0, 1]);
  });

  it('skips out-of-range classes and uses the common length', () => {
    expect(confusionFromPredictions([0, 1, 5], [1, 9, 0, 0], 2)).toEqual([0, 1, 0, 0]);
  });
});

describe('confusionDiff', () => {
  it('is B − A per cell and sums to zero for the same examples', () => {
    const a = confusionFromPredictions([0, 0, 1, 1], [0, 0, 1, 0], 2);
    const b = confusionFromPredictions([0, 0, 1, 1], [0, 1, 1, 1], 2);
    const d = confusionDiff(a, b);
    expect(d).toEqual([-1, 1, -1, 1]);
    expect(d.reduce((s, v) => s + v, 0)).toBe(0);
  });

  it('refuses matrices of different sizes', () => {
    expect(() => confusionDiff([1, 2, 3, 4], [1])).toThrow(/size/);
  });
});

describe('disagreements', () => {
  const labels = [0, 1, 2, 0, 1, 2];
  const a = [0, 1, 1, 0, 2, 2];
  const b = [0, 2, 1, 1, 1, 0];
  it('lists the first examples where the two predictions differ', () => {
    expect(disagreements(labels, a, b, 10)).toEqual([
      { index: 1, label: 1, a: 1, b: 2 },
      { index: 3, label: 0, a: 0, b: 1 },
      { index: 4, label: 1, a: 2, b: 1 },
      { index: 5, label: 2, a: 2, b: 0 },
    ]);
    expect(disagreementCount(a, b)).toBe(4);
  });

  it('stops at the limit', () => {
    expect(disagreements(labels, a, b, 2).map((d) => d.index)).toEqual([1, 3]);
    expect(disagreements(labels, a, a, 5)).toEqual([]);
  });
});

describe('divergingColour', () => {
  it('is blue for gains, vermillion for losses, clear at zero, alpha ∝ |d|', () => {
    expect(divergingColour(0, 4)).toBe('transparent');
    expect(divergingColour(4, 4)).toBe('rgba(0, 114, 178, 0.600)');
    expect(divergingColour(-2, 4)).toBe('rgba(213, 94, 0, 0.300)');
    expect(divergingColour(9, 4)).toBe('rgba(0, 114, 178, 0.600)');
  });
});

describe('diffSources', () => {
  it('keeps the teacher and run variants with both a result and predictions, in order', () => {
    const ordered = [
      { id: 'kd', name: 'Distilled' },
      { id: 'kd-alone', name: 'Distilled — student alone' },
      { id: 'ptq', name: 'PTQ' },
      { id: 'failed', name: 'Failed' },
    ];
    const sources = diffSources(
      ordered,
      ['PTQ', 'Distilled — student alone', 'Distilled', 'Failed'],
      ['ptq', 'kd', 'kd-alone'],
    );
    expect(sources.map((s) => s.id)).toEqual(['teacher', 'kd', 'kd-alone', 'ptq']);
    expect(sources[2]!.name).toBe('Distilled — student alone');
  });
});
