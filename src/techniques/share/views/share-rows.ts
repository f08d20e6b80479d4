import type { Inspection } from '../../../worker/protocol';

type SharedLayer = Inspection['share'][number];

/** Most centroids drawn as lines: beyond this, every ⌈k/64⌉-th one. */
export const MAX_DRAWN_CENTROIDS = 64;

/** Histogram rows at bin centres: x = (e_i + e_{i+1})/2, weights = count_i. */
export function codebookRows(book: SharedLayer): { x: number; weights: number }[] {
  const { edges, counts } = book.histogram;
  return counts.map((weights, i) => ({ x: (edges[i]! + edges[i + 1]!) / 2, weights }));
}

/**
 * The centroids to draw (every ⌈k/64⌉-th, the same indices before and after), whether
 * fine-tuning moved any, and the largest move max_j |c_j − c⁰_j|.
 */
export function drawnCentroids(book: SharedLayer): {
  initial: number[];
  final: number[];
  tuned: boolean;
  shift: number;
} {
  const step = Math.ceil(book.initial.length / MAX_DRAWN_CENTROIDS);
  const keep = (_: number, i: number) => i % step === 0;
  let shift = 0;
  book.final.forEach((c, j) => (shift = Math.max(shift, Math.abs(c - (book.initial[j] ?? c)))));
  return {
    initial: book.initial.filter(keep),
    final: book.final.filter(keep),
    tuned: shift > 0,
    shift,
  };
}
