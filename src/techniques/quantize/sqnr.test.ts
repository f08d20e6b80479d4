import { describe, expect, it } from 'vitest';
import { createRng } from '../../engine/rng';
import { computeQuantParams } from './quantizer';
import { quantizationSqnrDb, sqnrDb } from './sqnr';

describe('sqnrDb', () => {
  it('hand example: signal 4+9 = 13, noise 0.25+0.25 = 0.5 → 10·log10(26)', () => {
    const x = Float32Array.from([2, 3]);
    const xh = Float32Array.from([2.5, 2.5]);
    expect(sqnrDb(x, xh)).toBeCloseTo(10 * Math.log10(26), 6);
  });

  it('is +Infinity for an exact copy and rejects length mismatches', () => {
    const x = Float32Array.from([1, -2]);
    expect(sqnrDb(x, x.slice())).toBe(Infinity);
    expect(() => sqnrDb(x, new Float32Array(3))).toThrow(RangeError);
  });

  it('uniform data gains about 6.02 dB per extra bit', () => {
    const rng = createRng(5);
    const x = Float32Array.from({ length: 20000 }, () => rng() * 2 - 1);
    const db = (bits: number) =>
      quantizationSqnrDb(x, computeQuantParams(x, [x.length], { bits, scheme: 'symmetric' }));
    const gain = db(8) - db(7);
    expect(gain).toBeGreaterThan(5.7);
    expect(gain).toBeLessThan(6.4);
    // theory for a full-scale uniform signal: ≈ 6.02·b + 0 dB (narrow range costs a little)
    expect(db(8)).toBeGreaterThan(46);
    expect(db(8)).toBeLessThan(49);
  });
});
