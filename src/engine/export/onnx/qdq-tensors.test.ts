import { describe, expect, it } from 'vitest';
import type { QuantParams } from './adapter';
import { biasScale, codeSpan, dequantizedWeights, weightTensor } from './qdq-tensors';

function params(zeroPoint: number[], scale: number[], bits = 8): QuantParams {
  return {
    scale: Float32Array.from(scale),
    zeroPoint: Int32Array.from(zeroPoint),
    qmin: 0,
    qmax: 255,
    bits,
    axis: zeroPoint.length > 1 ? 1 : null,
  };
}

describe('weight containers', () => {
  it('symmetric codes stay as they are in int8, move by +128 into uint8', () => {
    const codes = Int32Array.from([-127, 5, 127, 0]);
    const p = params([0, 0], [0.1, 0.2]);
    const int8 = weightTensor(codes, p, 'int8')!;
    expect(Array.from(int8.codes)).toEqual([-127, 5, 127, 0]);
    expect(int8.maxAbsCode).toBe(127);
    const uint8 = weightTensor(codes, p, 'uint8')!;
    expect(Array.from(uint8.codes)).toEqual([1, 133, 255, 128]);
    expect(Array.from(uint8.zeroPoints)).toEqual([128, 128]);
    // (q − z)·s is unchanged by the move
    expect(dequantizedWeights(uint8.codes, { ...p, zeroPoint: uint8.zeroPoints })).toEqual(
      dequantizedWeights(codes, p),
    );
  });

  it('asymmetric 0..255 codes fit int8 after −128; 4-bit asymmetric codes fit int4 after −8', () => {
    const a8 = weightTensor(Int32Array.from([0, 255, 17]), params([100], [1]), 'int8')!;
    expect(Array.from(a8.codes)).toEqual([-128, 127, -111]);
    expect(Array.from(a8.zeroPoints)).toEqual([-28]);
    const a4 = weightTensor(Int32Array.from([0, 15, 3]), params([6], [1], 4), 'int4')!;
    expect(Array.from(a4.codes)).toEqual([-8, 7, -5]);
    expect(Array.from(a4.zeroPoints)).toEqual([-2]);
  });

  it('codes wider than the type: null for 8 bits, int16 for power-of-two codes', () => {
    const pow2 = Int32Array.from([-4096, 1, 2048]);
    expect(codeSpan(pow2, Int32Array.from([0]))).toEqual([-4096, 2048]);
    expect(weightTensor(pow2, params([0], [1]), 'int8')).toBeNull();
    expect(weightTensor(pow2, params([0], [1]), 'uint8')).toBeNull();
    expect(Array.from(weightTensor(pow2, params([0], [1]), 'int16')!.codes)).toEqual([
      -4096, 1, 2048,
    ]);
    const u16 = weightTensor(Int32Array.from([0, 65535]), params([30000], [1], 16), 'int16')!;
    expect(Array.from(u16.codes)).toEqual([-32768, 32767]);
  });

  it('ŵ = (q − z[c])·s[c] with channels innermost; bias scale s_x·s_w[c]', () => {
    const p = params([1, -2], [0.5, 0.25]);
    expect(Array.from(dequantizedWeights(Int32Array.from([3, 2, 1, -2]), p))).toEqual([1, 1, 0, 0]);
    expect(Array.from(biasScale(0.5, Float32Array.from([0.5, 0.25])))).toEqual([0.25, 0.125]);
  });
});
