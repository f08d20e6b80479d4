import { describe, expect, it } from 'vitest';
import { log2FakeQuantize } from './log2';
import { tensorBytes } from '../../engine/measure/size';
import type { NamedLayer } from '../../engine/network/layers';
import {
  POW2_MAX_SHIFT,
  powerOfTwoStoredBits,
  quantizeKernel,
  quantizeLayers,
  quantizedStorage,
} from './weights';
import { isWeightLayer } from '../../engine/network/layers';

const uniform = { scheme: 'symmetric' as const, perChannel: false, powerOfTwo: false };

describe('quantizeKernel', () => {
  it('symmetric per-tensor int8: s = max|w| / 127, q = round(w / s)', () => {
    const w = Float32Array.from([1.27, -0.635, 0.01, 0]);
    const q = quantizeKernel(w, [2, 2], { ...uniform, bits: 8 });
    expect(q.params.scale[0]).toBeCloseTo(0.01, 7);
    expect(Array.from(q.codes)).toEqual([127, -64, 1, 0]); // −63.5 rounds half to even: −64
    expect(q.dequantized[1]).toBeCloseTo(-0.64, 6);
  });

  it('per-channel uses one scale per output channel (last axis)', () => {
    // kernel [2, 2]: channel 0 = {1.5, −0.75} (s = 0.5), channel 1 = {0.125, 0.375} (s = 0.125)
    const w = Float32Array.from([1.5, 0.125, -0.75, 0.375]);
    const q = quantizeKernel(w, [2, 2], { ...uniform, bits: 3, perChannel: true });
    expect(Array.from(q.params.scale)).toEqual([0.5, 0.125]);
    expect(Array.from(q.codes)).toEqual([3, 1, -2, 3]); // −1.5 rounds half to even: −2
  });

  it('asymmetric has zero points and an unsigned grid', () => {
    const w = Float32Array.from([0, 1, 2, 3]);
    const q = quantizeKernel(w, [4, 1], { ...uniform, bits: 2, scheme: 'asymmetric' });
    expect(q.params.qmin).toBe(0);
    expect(q.params.qmax).toBe(3);
    expect(q.params.scale[0]).toBe(1);
    expect(Array.from(q.dequantized)).toEqual([0, 1, 2, 3]);
  });

  it('power-of-two: ŵ = log2FakeQuantize for small widths; codes are shifts 2^j', () => {
    const w = Float32Array.from([0.9, -0.3, 0.05, 0, 0.13, -0.011]);
    const q = quantizeKernel(w, [6, 1], { ...uniform, bits: 4, powerOfTwo: true });
    expect(Array.from(q.dequantized)).toEqual(Array.from(log2FakeQuantize(w, 4)));
    expect(q.params.scale[0]).toBe(2 ** -6); // kmax = round(log2 0.9) = 0, 2^(4−1) − 1 = 7 exponents: shifts 0…6
    for (const c of q.codes)
      if (c !== 0) expect(Number.isInteger(Math.log2(Math.abs(c)))).toBe(true);
  });

  it('power-of-two at 8 bits flushes weights below 2^−12 of the largest to 0', () => {
    const w = Float32Array.from([1, 2 ** -5, 2 ** -20]);
    const q = quantizeKernel(w, [3, 1], { ...uniform, bits: 8, powerOfTwo: true });
    expect(Array.from(q.dequantized)).toEqual([1, 2 ** -5, 0]);
    expect(q.params.qmax).toBe(2 ** POW2_MAX_SHIFT);
  });

  it('power-of-two per channel fits one exponent window per output channel', () => {
    const w = Float32Array.from([4, 0.25, 2, 0.125]); // [2, 2]: channel 0 {4, 2}, channel 1 {0.25, 0.125}
    const q = quantizeKernel(w, [2, 2], {
      ...uniform,
      bits: 2,
      perChannel: true,
      powerOfTwo: true,
    });
    // 2 bits: 0 and ±2^kmax (ternary); smaller magnitudes clip up to the one exponent
    expect(Array.from(q.dequantized)).toEqual([4, 0.25, 4, 0.25]);
    expect(Array.from(q.params.scale)).toEqual([4, 0.25]);
  });

  it('rejects widths outside 2..16', () => {
    expect(() => quantizeKernel(new Float32Array(2), [2], { ...uniform, bits: 1 })).toThrow(
      RangeError,
    );
    expect(() => quantizeKernel(new Float32Array(2), [2], { ...uniform, bits: 17 })).toThrow(
      /2 to 16/,
    );
  });
});

describe('quantizeLayers and quantizedStorage', () => {
  const layers: NamedLayer[] = [
    { kind: 'flatten', name: 'flatten' },
    {
      kind: 'dense',
      name: 'dense1',
      kernel: Float32Array.from([0.5, -1, 0, 0.25, 0.75, 0]),
      kernelShape: [3, 2],
      bias: Float32Array.from([0.1, -0.2]),
      activation: 'relu',
    },
  ];

  it('replaces kernels by ŵ and keeps biases and other layers', () => {
    const { layers: out, kernels } = quantizeLayers(layers, { ...uniform, bits: 2 });
    expect(out[0]).toBe(layers[0]);
    const dense = out[1]!;
    if (!isWeightLayer(dense)) throw new Error('expected a dense layer');
    // 2-bit narrow grid {−1, 0, 1}·s with s = 1; 0.5 rounds half to even: 0
    expect(Array.from(dense.kernel)).toEqual([0, -1, 0, 0, 1, 0]);
    expect(Array.from(dense.bias)).toEqual(Array.from(Float32Array.from([0.1, -0.2])));
    expect(kernels.get('dense1')?.codes).toEqual(Int32Array.from([0, -1, 0, 0, 1, 0]));
  });

  it('storage: kernel at bits with scales and non-zeros, bias fp32; exact bytes from size.ts', () => {
    const config = { ...uniform, bits: 8, perChannel: true };
    const { layers: out } = quantizeLayers(layers, config);
    const specs = quantizedStorage(out.filter(isWeightLayer), config);
    expect(specs).toEqual([
      {
        name: 'dense1/kernel',
        shape: [3, 2],
        bits: 8,
        scaleCount: 2,
        symmetric: true,
        nonZeros: 4,
      },
      { name: 'dense1/bias', shape: [2], bits: 32 },
    ]);
    // packed: header 8 + 2 scales + 6 codes = 22 B; bitmask: 8 + 8 + 4 non-zero codes + 1 = 21 B
    expect(tensorBytes(specs[0]!)).toEqual({
      name: 'dense1/kernel',
      encoding: 'bitmask',
      bytes: 21,
    });
    const asym = quantizedStorage(out.filter(isWeightLayer), { ...config, scheme: 'asymmetric' });
    expect(asym[0]!.symmetric).toBe(false);
  });
});

describe('powerOfTwoStoredBits', () => {
  it('stores as many bits as the level set needs: b up to 5, then 5 once the shift cap binds', () => {
    // levels 2·min(2^(b−1) − 1, 13) + 1: b=2 → 3, 3 → 7, 4 → 15, 5 → 27, 6.. → 27
    expect([2, 3, 4, 5, 6, 8, 16].map(powerOfTwoStoredBits)).toEqual([2, 3, 4, 5, 5, 5, 5]);
  });
});
