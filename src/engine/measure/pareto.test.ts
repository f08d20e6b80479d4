import { describe, it, expect } from 'vitest';
import { dominates, paretoFrontier } from './pareto';

const p = (id: string, sizeBytes: number, accuracy: number) => ({ id, sizeBytes, accuracy });

describe('dominates', () => {
  it('needs no worse on both axes and better on one', () => {
    expect(dominates(p('a', 10, 0.9), p('b', 20, 0.9))).toBe(true);
    expect(dominates(p('a', 10, 0.9), p('b', 10, 0.8))).toBe(true);
    expect(dominates(p('a', 10, 0.9), p('b', 10, 0.9))).toBe(false);
    expect(dominates(p('a', 10, 0.8), p('b', 20, 0.9))).toBe(false);
  });
});

describe('paretoFrontier', () => {
  it('keeps the trade-off curve sorted by size', () => {
    const points = [
      p('teacher', 400, 0.98),
      p('int8', 100, 0.975),
      p('int4', 50, 0.95),
      p('prune90', 120, 0.9), // worse and larger than int8
      p('tiny', 10, 0.6),
      p('fp16', 200, 0.97), // int8 is smaller and better
    ];
    expect(paretoFrontier(points).map((q) => q.id)).toEqual(['tiny', 'int4', 'int8', 'teacher']);
  });

  it('drops the less accurate of equal sizes and the larger of equal accuracies', () => {
    const points = [p('a', 100, 0.9), p('b', 100, 0.8), p('c', 150, 0.9), p('d', 50, 0.5)];
    expect(paretoFrontier(points).map((q) => q.id)).toEqual(['d', 'a']);
  });

  it('keeps exact duplicates, ordered by id', () => {
    const points = [p('z', 100, 0.9), p('y', 100, 0.9), p('x', 300, 0.8)];
    expect(paretoFrontier(points).map((q) => q.id)).toEqual(['y', 'z']);
  });

  it('leaves out unmeasured points and handles empty input', () => {
    const points = [p('a', 100, 0.9), p('nan', 1, Number.NaN), p('inf', Infinity, 1)];
    expect(paretoFrontier(points).map((q) => q.id)).toEqual(['a']);
    expect(paretoFrontier([])).toEqual([]);
  });

  it('returns the caller objects with their extra fields', () => {
    const points = [{ ...p('a', 1, 1), color: 'red' }];
    expect(paretoFrontier(points)[0]).toBe(points[0]);
  });
});
