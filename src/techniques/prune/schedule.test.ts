import { describe, expect, it } from 'vitest';
import {
  appliedSparsity,
  isPruningStep,
  iterativeRoundFraction,
  iterativeSparsities,
  polynomialDecaySparsity,
  pruningEvents,
  type GradualSchedule,
} from './schedule';

const g: GradualSchedule = {
  initialSparsity: 0,
  finalSparsity: 0.8,
  beginStep: 100,
  endStep: 1100,
  frequency: 100,
};

describe('iterative schedule (geometric)', () => {
  it('prunes the same fraction of survivors each round', () => {
    const s = iterativeSparsities(0.9, 2);
    expect(s[0]).toBeCloseTo(1 - Math.sqrt(0.1), 12); // 0.683772…
    expect(s[1]).toBeCloseTo(0.9, 12);
    const five = iterativeSparsities(0.8, 5);
    const p = iterativeRoundFraction(0.8, 5);
    expect(p).toBeCloseTo(1 - 0.2 ** 0.2, 12);
    let kept = 1;
    five.forEach((sk) => {
      kept *= 1 - p;
      expect(1 - sk).toBeCloseTo(kept, 12);
    });
    expect(iterativeSparsities(0.5, 1)).toEqual([0.5]);
    expect(() => iterativeSparsities(0.5, 0)).toThrow(/rounds/);
    expect(() => iterativeSparsities(1, 3)).toThrow(RangeError);
  });
});

describe('gradual polynomial decay', () => {
  it('matches s_f + (s_i − s_f)(1 − (t − t0)/(T − t0))³ at several t, clamped outside', () => {
    expect(polynomialDecaySparsity(100, g)).toBe(0);
    expect(polynomialDecaySparsity(350, g)).toBeCloseTo(0.8 - 0.8 * 0.75 ** 3, 12); // 0.4625
    expect(polynomialDecaySparsity(600, g)).toBeCloseTo(0.7, 12);
    expect(polynomialDecaySparsity(1100, g)).toBeCloseTo(0.8, 12);
    expect(polynomialDecaySparsity(50, g)).toBe(0);
    expect(polynomialDecaySparsity(5000, g)).toBeCloseTo(0.8, 12);
    const fromSome = { ...g, initialSparsity: 0.2 };
    expect(polynomialDecaySparsity(600, fromSome)).toBeCloseTo(0.8 - 0.6 * 0.125, 12);
    expect(polynomialDecaySparsity(50, fromSome)).toBeCloseTo(0.2, 12);
    expect(polynomialDecaySparsity(600, { ...g, power: 1 })).toBeCloseTo(0.4, 12);
  });

  it('prunes every `frequency` steps from t0 and at T, holding the mask in between', () => {
    expect([50, 100, 150, 200, 1000, 1100, 1200].map((t) => isPruningStep(t, g))).toEqual([
      false,
      true,
      false,
      true,
      true,
      true,
      false,
    ]);
    expect(appliedSparsity(50, g)).toBe(0);
    expect(appliedSparsity(699, g)).toBeCloseTo(0.7, 12); // mask of step 600
    expect(appliedSparsity(1100, g)).toBeCloseTo(0.8, 12);
    const odd = { ...g, endStep: 1050 };
    expect(isPruningStep(1050, odd)).toBe(true);
    expect(appliedSparsity(1049, odd)).toBeCloseTo(polynomialDecaySparsity(1000, odd), 12);
  });

  it('lists events and rejects bad settings', () => {
    expect(pruningEvents({ kind: 'oneShot', finalSparsity: 0.6 })).toEqual([
      { step: 0, sparsity: 0.6 },
    ]);
    const it3 = pruningEvents({ kind: 'iterative', finalSparsity: 0.875, rounds: 3 });
    expect(it3.map((e) => e.step)).toEqual([0, 1, 2]);
    expect(it3.map((e) => e.sparsity)).toEqual(
      [0.5, 0.75, 0.875].map((v) => expect.closeTo(v, 12)),
    );
    const events = pruningEvents({ kind: 'gradual', ...g, endStep: 1050 });
    expect(events.map((e) => e.step)).toEqual([
      100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1050,
    ]);
    expect(events.at(-1)!.sparsity).toBe(0.8);
    for (let i = 1; i < events.length; i++) {
      expect(events[i]!.sparsity).toBeGreaterThanOrEqual(events[i - 1]!.sparsity);
    }
    expect(() => polynomialDecaySparsity(0, { ...g, endStep: 100 })).toThrow(/end step/);
    expect(() => isPruningStep(0, { ...g, frequency: 0 })).toThrow(/frequency/);
    expect(() => appliedSparsity(0, { ...g, initialSparsity: 0.9 })).toThrow(/must not exceed/);
    expect(() => pruningEvents({ kind: 'oneShot', finalSparsity: 1 })).toThrow(/Final sparsity/);
  });
});
