import { describe, expect, it } from 'vitest';
import {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  PercentileObserver,
  quantileSorted,
} from './observers';

const f = (...v: number[]) => Float32Array.from(v);

describe('MinMaxObserver', () => {
  it('tracks the running extremes per tensor', () => {
    const o = new MinMaxObserver();
    o.observe(f(1, -2, 3));
    o.observe(f(0.5, 7));
    o.observe(f());
    expect(o.batches).toBe(2);
    const r = o.range();
    expect(Array.from(r.min)).toEqual([-2]);
    expect(Array.from(r.max)).toEqual([7]);
  });

  it('per channel on the innermost axis', () => {
    const o = new MinMaxObserver({ channels: 2 });
    o.observe(f(1, 10, -1, 20)); // channel 0: 1, −1; channel 1: 10, 20
    o.observe(f(4, -5));
    const r = o.range();
    expect(Array.from(r.min)).toEqual([-1, -5]);
    expect(Array.from(r.max)).toEqual([4, 20]);
    expect(() => o.observe(f(1, 2, 3))).toThrow(/2 channels/);
  });

  it('empty calibration set and bad values give clear errors', () => {
    expect(() => new MinMaxObserver().range()).toThrow(/no calibration data/);
    expect(() => new MinMaxObserver().observe(f(1, Infinity))).toThrow(/non-finite/);
    expect(() => new MinMaxObserver({ channels: 0 })).toThrow(RangeError);
  });
});

describe('MovingAverageMinMaxObserver', () => {
  it('first batch sets the range, then m ← momentum·m + (1 − momentum)·batch', () => {
    const o = new MovingAverageMinMaxObserver({ momentum: 0.9 });
    o.observe(f(-1, 1));
    o.observe(f(-3, 11));
    const r = o.range();
    expect(r.min[0]).toBeCloseTo(0.9 * -1 + 0.1 * -3, 6); // −1.2
    expect(r.max[0]).toBeCloseTo(0.9 * 1 + 0.1 * 11, 6); // 2.0
  });

  it('per channel, and momentum outside [0, 1) is rejected', () => {
    const o = new MovingAverageMinMaxObserver({ momentum: 0.5, channels: 2 });
    o.observe(f(0, 0, 2, 4));
    o.observe(f(-2, 8));
    // channel 0: max 0.5·2 + 0.5·(−2) = 0, min 0.5·0 + 0.5·(−2) = −1; channel 1: 4 → 6, 0 → 4
    expect(Array.from(o.range().max)).toEqual([0, 6]);
    expect(Array.from(o.range().min)).toEqual([-1, 4]);
    expect(() => new MovingAverageMinMaxObserver({ momentum: 1 })).toThrow(RangeError);
    expect(() => new MovingAverageMinMaxObserver().range()).toThrow(/no calibration data/);
  });
});

describe('PercentileObserver', () => {
  it('quantile with linear interpolation between ranks', () => {
    const s = f(0, 10, 20, 30, 40);
    expect(quantileSorted(s, 0.5)).toBe(20);
    expect(quantileSorted(s, 0.9)).toBeCloseTo(36, 5);
    expect(quantileSorted(s, 1)).toBe(40);
    expect(quantileSorted(s, 0)).toBe(0);
  });

  it('clips outliers: 99th percentile of 0..999 plus one huge value', () => {
    const o = new PercentileObserver({ percentile: 99 });
    const values = Float32Array.from({ length: 1000 }, (_, i) => i);
    o.observe(values.subarray(0, 500));
    o.observe(values.subarray(500));
    o.observe(f(1e6));
    const r = o.range();
    // 1001 values sorted; rank 0.99 · 1000 = 990 → value 990; rank 10 → value 10
    expect(r.max[0]).toBeCloseTo(990, 3);
    expect(r.min[0]).toBeCloseTo(10, 3);
  });

  it('percentile 100 gives the plain min/max, per channel', () => {
    const o = new PercentileObserver({ percentile: 100, channels: 2 });
    o.observe(f(3, -1, -7, 5, 2, 9));
    expect(Array.from(o.range().min)).toEqual([-7, -1]);
    expect(Array.from(o.range().max)).toEqual([3, 9]);
  });

  it('percentile outside (0, 100] and an empty set are clear errors', () => {
    for (const p of [0, -1, 100.5, NaN]) {
      expect(() => new PercentileObserver({ percentile: p })).toThrow(/above 0 and at most 100/);
    }
    const o = new PercentileObserver({ percentile: 99.9 });
    o.observe(f());
    expect(() => o.range()).toThrow(/no calibration data/);
  });
});
