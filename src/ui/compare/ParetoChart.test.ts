import { describe, expect, it } from 'vitest';
import { logTicks } from './ParetoChart';

describe('logTicks', () => {
  it('spans the sizes with powers of two', () => {
    expect(logTicks(128, 1416)).toEqual([128, 256, 512, 1024, 2048]);
    const wide = logTicks(1000, 500_000);
    expect(wide[0]).toBeLessThanOrEqual(1000);
    expect(wide[wide.length - 1]).toBeGreaterThanOrEqual(500_000);
    expect(wide.length).toBeLessThanOrEqual(8);
  });
});
