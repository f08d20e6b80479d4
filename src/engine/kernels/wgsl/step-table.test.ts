import { describe, expect, it } from 'vitest';
import { floatAt, floatPosition, stepTable } from './step-table';
import { requantizeAccumulators } from '../../../techniques/quantize/integer-kernels';
import type { IntegerLayer } from '../../../techniques/quantize/integer-kernels';
import type { QuantParams } from '../../../techniques/quantize/quantizer';

const grid = (scale: number, zero: number, qmin: number, qmax: number): QuantParams => ({
  scale: Float32Array.of(scale),
  zeroPoint: Int32Array.of(zero),
  qmin,
  qmax,
  bits: 8,
  axis: null,
});

/** F from a table: the code lo + #{k : t ≥ T[k]}. */
function codeOf(table: ReturnType<typeof stepTable>, c: number, t: number): number {
  let n = 0;
  for (let k = 0; k < table.count[c]!; k++) if (t >= table.thresholds[c * table.stride + k]!) n++;
  return table.lo[c]! + n;
}

describe('stepTable: a monotone step function as thresholds', () => {
  it('gives the reference requantization for every accumulator tried, per channel', () => {
    const layer = {
      kernelShape: [4, 3],
      weightParams: { ...grid(1, 0, -127, 127), scale: Float32Array.of(0.02, 0.5, 3e-4) },
      inputParams: grid(0.05, 3, 0, 127),
      outputParams: grid(0.1, 9, 0, 127),
      relu: true,
    } as unknown as IntegerLayer;
    const table = stepTable(
      (acc) => requantizeAccumulators(acc, layer),
      3,
      -(2 ** 31),
      2 ** 31 - 1,
    );
    expect(Array.from(table.lo)).toEqual([9, 9, 9]); // ReLU clamps at the zero point
    expect(Array.from(table.count)).toEqual([118, 118, 118]);
    for (let c = 0; c < 3; c++) {
      for (let acc = -3000; acc <= 30000; acc += 7) {
        const want = requantizeAccumulators(Float64Array.of(...[0, 1, 2].map(() => acc)), layer)[c];
        expect(codeOf(table, c, acc)).toBe(want);
      }
      // Exactly at each threshold and one below it.
      for (let k = 0; k < table.count[c]!; k++) {
        const t = table.thresholds[c * table.stride + k]!;
        const f = (v: number) => requantizeAccumulators(Float64Array.of(v, v, v), layer)[c]!;
        expect(f(t)).toBeGreaterThanOrEqual(table.lo[c]! + k + 1);
        expect(f(t - 1)).toBeLessThan(table.lo[c]! + k + 1);
      }
    }
  });

  it('orders every f32 so that positions and values agree', () => {
    const xs = [-Infinity, -3.4e38, -1, -1e-45, -0, 0, 1e-45, 1, 3.4e38, Infinity].map(Math.fround);
    const ps = xs.map(floatPosition);
    expect([...ps].sort((a, b) => a - b)).toEqual(ps);
    xs.forEach((x) => expect(Object.is(floatAt(floatPosition(x)), x)).toBe(true));
    expect(floatPosition(-Infinity)).toBe(0);
    expect(floatPosition(0) - floatPosition(-0)).toBe(1);
  });

  it('rejects a function that decreases', () => {
    expect(() => stepTable((t) => Float64Array.from(t, (v) => -Math.sign(v)), 1, -5, 5)).toThrow(
      RangeError,
    );
  });
});
