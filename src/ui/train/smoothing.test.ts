import { describe, expect, it } from 'vitest';
import { downsampleIndices, etaMs, movingAverage } from './smoothing';

describe('chart helpers', () => {
  it('averages over a sliding window', () => {
    expect(movingAverage([2, 4, 6, 8], 2)).toEqual([2, 3, 5, 7]);
  });

  it('downsamples to at most maxPoints plus the last', () => {
    const idx = downsampleIndices(1000, 100);
    expect(idx.length).toBeLessThanOrEqual(101);
    expect(idx[0]).toBe(0);
    expect(idx[idx.length - 1]).toBe(999);
    expect(downsampleIndices(5, 100)).toEqual([0, 1, 2, 3, 4]);
  });

  it('estimates the remaining time from the rate so far', () => {
    expect(etaMs(25, 100, 1000)).toBe(3000);
    expect(etaMs(0, 100, 0)).toBeNaN();
  });
});
