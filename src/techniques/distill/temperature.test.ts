import { describe, it, expect } from 'vitest';
import {
  DEFAULT_TEMPERATURES,
  entropyNats,
  softmaxAtTemperature,
  temperatureSweep,
} from './temperature';

describe('softmaxAtTemperature', () => {
  it('matches hand values for z = [2, 1, 0] at T = 1 and T = 2', () => {
    const z = [2, 1, 0];
    for (const T of [1, 2]) {
      const e = z.map((x) => Math.exp(x / T));
      const sum = e[0]! + e[1]! + e[2]!;
      const p = softmaxAtTemperature(z, T);
      e.forEach((x, i) => expect(p[i]).toBeCloseTo(x / sum, 14));
    }
    // T = 1: e² / (e² + e + 1) ≈ 0.665241
    expect(softmaxAtTemperature(z, 1)[0]).toBeCloseTo(0.665241, 6);
  });

  it('stays finite and exact for huge logits (no overflow)', () => {
    const p = softmaxAtTemperature([1000, 999, -1000], 1);
    expect(p[0]).toBeCloseTo(1 / (1 + Math.exp(-1)), 12);
    expect(p[1]).toBeCloseTo(Math.exp(-1) / (1 + Math.exp(-1)), 12);
    expect(p[2]).toBe(0);
    expect(Array.from(softmaxAtTemperature([-1e308, 1e308], 0.5))).toEqual([0, 1]);
  });

  it('sums to 1 and tends to uniform as T grows', () => {
    const z = [3, -1, 0.5, 2];
    const p = softmaxAtTemperature(z, 1e6);
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (const x of p) expect(x).toBeCloseTo(0.25, 5);
  });

  it('rejects T ≤ 0, non-finite T, empty or non-finite logits', () => {
    for (const T of [0, -1, NaN, Infinity]) {
      expect(() => softmaxAtTemperature([1, 2], T)).toThrow(RangeError);
    }
    expect(() => softmaxAtTemperature([], 1)).toThrow(/at least one/);
    expect(() => softmaxAtTemperature([1, NaN], 1)).toThrow(/not finite/);
  });
});

describe('entropy and the temperature sweep', () => {
  it('entropy: 0 for one-hot, ln C for uniform, hand value for [½, ¼, ¼]', () => {
    expect(entropyNats([0, 1, 0])).toBe(0);
    expect(entropyNats([0.25, 0.25, 0.25, 0.25])).toBeCloseTo(Math.log(4), 14);
    expect(entropyNats([0.5, 0.25, 0.25])).toBeCloseTo(1.5 * Math.log(2), 14);
  });

  it('sweeps T = 1…20 by default with entropy rising towards ln C', () => {
    const z = [4, 1, 0.5, -2];
    const sweep = temperatureSweep(z);
    expect(sweep.map((r) => r.temperature)).toEqual([...DEFAULT_TEMPERATURES]);
    expect(sweep.length).toBe(20);
    for (let i = 1; i < sweep.length; i++) {
      expect(sweep[i]!.entropyNats).toBeGreaterThan(sweep[i - 1]!.entropyNats);
    }
    const last = sweep[19]!;
    expect(last.entropyNats).toBeLessThan(Math.log(4));
    expect(last.normalizedEntropy).toBeGreaterThan(0.95);
    expect(sweep[0]!.entropyNats).toBeCloseTo(entropyNats(softmaxAtTemperature(z, 1)), 14);
    expect(sweep[0]!.normalizedEntropy).toBeCloseTo(sweep[0]!.entropyNats / Math.log(4), 14);
  });

  it('gives normalized entropy 0 for a single class and accepts custom temperatures', () => {
    const sweep = temperatureSweep([3], [0.5, 10]);
    expect(sweep.map((r) => [r.temperature, r.probabilities[0], r.normalizedEntropy])).toEqual([
      [0.5, 1, 0],
      [10, 1, 0],
    ]);
  });
});
