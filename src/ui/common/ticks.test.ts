import { describe, expect, it } from 'vitest';
import { niceTicks } from './ticks';

describe('niceTicks', () => {
  it('covers the range with 1-2-5 steps', () => {
    expect(niceTicks(0, 1)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 940, 4)).toEqual([0, 500, 1000]);
    expect(niceTicks(0.03, 2.31)).toEqual([0, 0.5, 1, 1.5, 2, 2.5]);
    expect(niceTicks(-3, 3, 3)).toEqual([-4, -2, 0, 2, 4]);
  });
  it('handles degenerate input', () => {
    expect(niceTicks(2, 2)).toEqual([2]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
    expect(niceTicks(5, 0, 5)).toEqual([0, 1, 2, 3, 4, 5]);
    // A range below float resolution at this magnitude still ends, with a handful of ticks.
    expect(niceTicks(1e6, 1e6 + 1e-12).length).toBeLessThanOrEqual(8);
    expect(niceTicks(0, Number.MAX_VALUE).length).toBeLessThanOrEqual(8);
  });
});
