import { describe, expect, it } from 'vitest';
import {
  bitmaskBytes,
  csrBytes,
  csrIndexBytes,
  denseBytes,
  effectiveMacs,
  nonZeroCount,
  sparseSize,
  totalEffectiveMacs,
} from './sparse-size';

function withNonZeros(count: number, nnz: number): Float32Array {
  const a = new Float32Array(count);
  for (let i = 0; i < nnz; i++) a[(i * 7) % count] = i + 1;
  return a;
}

describe('sparse sizes', () => {
  it('counts non-zeros (−0 is zero)', () => {
    expect(nonZeroCount(new Float32Array([0, -0, 1, -2, 0, 1e-30]))).toBe(3);
  });

  it('gives each layout by hand and stores the smallest', () => {
    // [4, 3], 3 non-zeros: dense 48; bitmask ⌈12/8⌉ + 12 = 14; CSR 12 + 2·3 + 4·5 = 38.
    const small = sparseSize(withNonZeros(12, 3), [4, 3]);
    expect(small).toEqual({
      count: 12,
      nnz: 3,
      denseBytes: 48,
      bitmaskBytes: 14,
      csrBytes: 38,
      storedBytes: 14,
      format: 'bitmask',
    });
    // [100, 100], 10 non-zeros: dense 40000; bitmask 1250 + 40; CSR 40 + 20 + 404 = 464.
    const tiny = sparseSize(withNonZeros(10_000, 10), [100, 100]);
    expect([tiny.denseBytes, tiny.bitmaskBytes, tiny.csrBytes]).toEqual([40_000, 1290, 464]);
    expect(tiny.format).toBe('csr');
    // Fully dense [2, 2]: dense 16 < bitmask 17 < CSR 16 + 8 + 12 = 36.
    const full = sparseSize(new Float32Array([1, 2, 3, 4]), [2, 2]);
    expect([full.storedBytes, full.bitmaskBytes, full.csrBytes, full.format]).toEqual([
      16,
      17,
      36,
      'dense',
    ]);
    // Conv HWIO [3, 3, 2, 4] → 18 rows × 4 cols; 5 non-zeros: CSR 20 + 10 + 76 = 106.
    const conv = sparseSize(withNonZeros(72, 5), [3, 3, 2, 4]);
    expect([conv.denseBytes, conv.bitmaskBytes, conv.csrBytes]).toEqual([288, 29, 106]);
    // A bias [5] is one row of 5: CSR 4·2 + 2·2 + 8 = 20.
    expect(sparseSize(withNonZeros(5, 2), [5]).csrBytes).toBe(20);
  });

  it('uses 2-byte column indices up to 65536 columns, 4 bytes above', () => {
    expect(csrIndexBytes(65536)).toBe(2);
    expect(csrIndexBytes(65537)).toBe(4);
    expect(csrBytes(1, 70_000, 3)).toBe(12 + 12 + 8);
    expect(denseBytes(7)).toBe(28);
    expect(bitmaskBytes(9, 0)).toBe(2);
  });

  it('rejects impossible counts', () => {
    expect(() => bitmaskBytes(4, 5)).toThrow(/more non-zeros/);
    expect(() => csrBytes(2, 2, 5)).toThrow(RangeError);
    expect(() => denseBytes(-1)).toThrow(RangeError);
    expect(() => sparseSize(new Float32Array(6), [4, 2])).toThrow(/holds 8 values/);
  });
});

describe('effective MACs', () => {
  it('scales dense MACs by the kept fraction', () => {
    expect(effectiveMacs(1000, 25, 100)).toBe(250);
    expect(effectiveMacs(1000, 0, 0)).toBe(0);
    // conv 5·5 positions × 18 weights = 450 MACs at 2/18 kept, + dense 12 MACs at 3/12 kept.
    const total = totalEffectiveMacs([
      { denseMacs: 450, weights: withNonZeros(18, 2) },
      { denseMacs: 12, weights: withNonZeros(12, 3) },
    ]);
    expect(total).toBeCloseTo(50 + 3, 12);
  });
});
