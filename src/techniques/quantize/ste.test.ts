import { describe, expect, it } from 'vitest';
import { codeRange, stePoint, steCurve } from './ste';
import { roundHalfEven } from './quantizer';

describe('roundHalfEven', () => {
  it('rounds halves to the even neighbour like tf.round', () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, 0.49, 0.51].map(roundHalfEven)).toEqual([
      0, 2, 2, 0, -2, 0, 1,
    ]);
  });
});

describe('codeRange', () => {
  it('gives the narrow symmetric and the full asymmetric ranges', () => {
    expect(codeRange(4, 'symmetric')).toEqual({ qmin: -7, qmax: 7 });
    expect(codeRange(8, 'symmetric')).toEqual({ qmin: -127, qmax: 127 });
    expect(codeRange(4, 'asymmetric')).toEqual({ qmin: 0, qmax: 15 });
  });
  it('rejects impossible bit widths', () => {
    expect(() => codeRange(1, 'symmetric')).toThrow(RangeError);
    expect(() => codeRange(3.5, 'symmetric')).toThrow(RangeError);
  });
});

describe('stePoint', () => {
  const grid = { scale: 0.5, qmin: -3, qmax: 3 };
  it('snaps to the grid inside the clip range with gradient 1', () => {
    // 0.7 / 0.5 = 1.4 → 1 → 0.5; 0.76 / 0.5 = 1.52 → 2 → 1.0
    expect(stePoint(0.7, grid)).toEqual({ x: 0.7, forward: 0.5, gradient: 1 });
    expect(stePoint(0.76, grid)).toEqual({ x: 0.76, forward: 1, gradient: 1 });
    expect(stePoint(-1.2, grid).forward).toBeCloseTo(-1, 12);
  });
  it('clips outside [qmin, qmax]·s and blocks the gradient there', () => {
    expect(stePoint(2.0, grid)).toEqual({ x: 2.0, forward: 1.5, gradient: 0 });
    expect(stePoint(-9, grid)).toEqual({ x: -9, forward: -1.5, gradient: 0 });
    // exactly on the edge still passes the gradient
    expect(stePoint(1.5, grid).gradient).toBe(1);
  });
  it('shifts the grid by the zero point', () => {
    const asym = { scale: 0.1, qmin: 0, qmax: 15, zeroPoint: 5 };
    // x/s + z = 0.23/0.1 + 5 = 7.3 → 7 → (7 − 5)·0.1 = 0.2
    expect(stePoint(0.23, asym).forward).toBeCloseTo(0.2, 12);
    // lowest level (0 − 5)·0.1 = −0.5; −0.6 is clipped
    expect(stePoint(-0.6, asym)).toMatchObject({ forward: -0.5, gradient: 0 });
  });
});

describe('steCurve', () => {
  it('spans the clip range plus margins and is a non-decreasing staircase', () => {
    const curve = steCurve({ scale: 1, qmin: -2, qmax: 2 }, 101, 0.25);
    expect(curve).toHaveLength(101);
    expect(curve[0]!.x).toBeCloseTo(-3, 12);
    expect(curve[100]!.x).toBeCloseTo(3, 12);
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i]!.forward).toBeGreaterThanOrEqual(curve[i - 1]!.forward);
    }
    const levels = new Set(curve.map((p) => p.forward));
    expect([...levels].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
    const passing = curve.filter((p) => p.gradient === 1);
    expect(Math.min(...passing.map((p) => p.x))).toBeGreaterThanOrEqual(-2);
    expect(Math.max(...passing.map((p) => p.x))).toBeLessThanOrEqual(2);
    expect(curve.filter((p) => p.gradient === 0).length).toBeGreaterThan(0);
  });
  it('rejects a zero step or too few samples', () => {
    expect(() => steCurve({ scale: 0, qmin: -1, qmax: 1 })).toThrow(RangeError);
    expect(() => steCurve({ scale: 1, qmin: -1, qmax: 1 }, 1)).toThrow(RangeError);
  });
});
