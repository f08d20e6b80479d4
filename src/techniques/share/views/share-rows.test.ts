import { describe, expect, it } from 'vitest';
import { codebookRows, drawnCentroids } from './share-rows';

const book = (initial: number[], final: number[]) => ({
  name: 'dense1',
  bits: Math.log2(initial.length),
  initial,
  final,
  histogram: { edges: [-1, 0, 1], counts: [3, 5] },
});

describe('share view rows', () => {
  it('puts each bin at its centre', () => {
    expect(codebookRows(book([0, 1], [0, 1]))).toEqual([
      { x: -0.5, weights: 3 },
      { x: 0.5, weights: 5 },
    ]);
  });

  it('says whether fine-tuning moved the centroids and by how much at most', () => {
    expect(drawnCentroids(book([-0.5, 0.5], [-0.5, 0.5]))).toMatchObject({
      tuned: false,
      shift: 0,
    });
    const moved = drawnCentroids(book([-0.5, 0.5], [-0.25, 0.5]));
    expect(moved.tuned).toBe(true);
    expect(moved.shift).toBeCloseTo(0.25, 12);
  });

  it('draws at most 64 of 256 centroids, the same indices before and after', () => {
    const initial = Array.from({ length: 256 }, (_, i) => i / 256);
    const final = initial.map((c) => c + 0.001);
    const drawn = drawnCentroids(book(initial, final));
    expect(drawn.initial).toHaveLength(64);
    expect(drawn.final).toHaveLength(64);
    expect(drawn.final[1]! - drawn.initial[1]!).toBeCloseTo(0.001, 12);
    expect(drawn.initial[1]).toBe(initial[4]);
  });
});
