import { describe, expect, it } from 'vitest';
import type { IntegerLayer } from './integer-kernels';
import type { QuantParams } from './quantizer';
import { computeQuantParams, quantParamsFromRange, quantize } from './quantizer';
import { integerConv2dValid, integerDense } from './integer-oracle';
import { quantizeBias, requantize } from './integer-kernels';
import { createRng, gaussian } from '../../engine/rng';
import {
  accumulatorBits,
  convAccumulators,
  denseAccumulators,
  dequantizeAccumulators,
  maxPoolCodes,
  requantizeAccumulators,
} from './integer-kernels';

function randomValues(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => gaussian(rng));
}

const act = (min: number, max: number): QuantParams =>
  quantParamsFromRange([min], [max], { bits: 8, scheme: 'asymmetric' });

/** A random integer layer with the given weight scheme (per output channel). */
function randomLayer(
  kernelShape: number[],
  scheme: 'symmetric' | 'asymmetric',
  relu: boolean,
  seed: number,
): IntegerLayer {
  const n = kernelShape.reduce((a, b) => a * b, 1);
  const kernel = randomValues(n, seed);
  const outC = kernelShape[kernelShape.length - 1]!;
  const weightParams = computeQuantParams(kernel, kernelShape, {
    bits: 8,
    scheme,
    axis: kernelShape.length - 1,
  });
  const inputParams = act(-1, 3);
  return {
    kernel: quantize(kernel, weightParams, kernelShape),
    kernelShape,
    weightParams,
    bias: quantizeBias(randomValues(outC, seed + 1), inputParams.scale[0]!, weightParams.scale),
    inputParams,
    outputParams: act(-4, 6),
    relu,
  };
}

function randomCodes(n: number, seed: number): Int32Array {
  const rng = createRng(seed);
  return Int32Array.from({ length: n }, () => Math.floor(rng() * 256));
}

describe('integer kernels', () => {
  it('dense: equals integer-inference integerDense (symmetric and asymmetric weights)', () => {
    for (const [scheme, relu] of [
      ['symmetric', true],
      ['asymmetric', false],
    ] as const) {
      const layer = randomLayer([7, 5], scheme, relu, 3);
      const qx = randomCodes(3 * 7, 4);
      const ours = requantizeAccumulators(denseAccumulators(qx, layer), layer);
      expect(ours).toEqual(integerDense(qx, 3, layer));
    }
  });

  it('conv: equals integer-inference integerConv2dValid', () => {
    const layer = randomLayer([3, 2, 2, 4], 'asymmetric', true, 7);
    const qx = randomCodes(2 * 5 * 4 * 2, 8);
    const { values, shape } = convAccumulators(qx, [2, 5, 4, 2], layer);
    const reference = integerConv2dValid(qx, [2, 5, 4, 2], layer);
    expect(shape).toEqual(reference.shape);
    expect(requantizeAccumulators(values, layer)).toEqual(reference.values);
  });

  it('dense accumulators by hand: q_b + Σ (q_x − z_x)(q_w − z_w)', () => {
    const unit: QuantParams = {
      scale: Float32Array.from([0.5]),
      zeroPoint: Int32Array.from([2]),
      qmin: 0,
      qmax: 15,
      bits: 4,
      axis: null,
    };
    const layer: IntegerLayer = {
      kernel: Int32Array.from([1, -2, 3, 4]), // [2, 2]
      kernelShape: [2, 2],
      weightParams: { ...unit, scale: Float32Array.from([0.25]), zeroPoint: Int32Array.from([0]) },
      bias: Int32Array.from([10, -10]),
      inputParams: unit,
      outputParams: unit,
      relu: false,
    };
    // x = [5, 2] → x − z = [3, 0]: acc = [10 + 3·1, −10 + 3·(−2)] = [13, −16]
    const acc = denseAccumulators(Int32Array.from([5, 2]), layer);
    expect(Array.from(acc)).toEqual([13, -16]);
    // real outputs: acc · s_x · s_w = acc · 0.125
    expect(Array.from(dequantizeAccumulators(acc, layer))).toEqual([1.625, -2]);
    // bound: fanIn 2 · max|x − z| 13 · max|w| 4 + max|b| 10 = 114 → ⌈log2 115⌉ + 1 = 8 bits
    expect(accumulatorBits(layer)).toBe(8);
  });

  it('accumulators stay exact beyond int32 (where integerDense would wrap)', () => {
    const wide: QuantParams = {
      scale: Float32Array.from([1]),
      zeroPoint: Int32Array.from([0]),
      qmin: -(2 ** 15),
      qmax: 2 ** 15 - 1,
      bits: 16,
      axis: null,
    };
    const layer: IntegerLayer = {
      kernel: Int32Array.from([30000, 30000, 30000]),
      kernelShape: [3, 1],
      weightParams: wide,
      bias: Int32Array.from([0]),
      inputParams: wide,
      outputParams: wide,
      relu: false,
    };
    const acc = denseAccumulators(Int32Array.from([30000, 30000, 30000]), layer);
    expect(acc[0]).toBe(3 * 30000 * 30000); // 2.7e9 > 2^31
    expect(accumulatorBits(layer)).toBeGreaterThan(32);
  });

  it('inlined requantization equals requantize, halves to even, ReLU and clamps included', () => {
    const out: QuantParams = { ...act(-1, 1), zeroPoint: Int32Array.from([3]), qmin: 0, qmax: 20 };
    for (const relu of [false, true]) {
      const layer: IntegerLayer = {
        kernel: new Int32Array(2),
        kernelShape: [1, 2],
        weightParams: {
          ...out,
          scale: Float32Array.from([0.5, 0.25]),
          zeroPoint: new Int32Array(2),
        },
        bias: new Int32Array(2),
        inputParams: { ...out, scale: Float32Array.from([1]) },
        outputParams: { ...out, scale: Float32Array.from([1]) },
        relu,
      };
      // M = [0.5, 0.25]: accumulators giving ±k.5, exact integers and values past both ends
      const acc = Float64Array.from([5, 10, -5, -10, 3, 6, -7, -14, 100, 200, -100, -200, 0, 2]);
      const ours = requantizeAccumulators(acc, layer);
      const m = [0.5, 0.25];
      acc.forEach((a, i) => {
        expect(ours[i]).toBe(requantize(a, m[i % 2]!, layer.outputParams, relu));
      });
      expect(Array.from(ours.slice(0, 4))).toEqual(relu ? [5, 5, 3, 3] : [5, 5, 1, 1]);
    }
  });

  it('2×2 max pooling on codes drops the odd edge', () => {
    // one image 3×3, one channel → 1×1
    const q = Int32Array.from([1, 5, 9, 3, 2, 9, 9, 9, 9]);
    expect(maxPoolCodes(q, [1, 3, 3, 1])).toEqual({
      values: Int32Array.from([5]),
      shape: [1, 1, 1, 1],
    });
    // 2×2 with two channels
    const two = Int32Array.from([1, 8, 4, 2, 3, 6, 0, 7]);
    expect(Array.from(maxPoolCodes(two, [1, 2, 2, 2]).values)).toEqual([4, 8]);
  });
});
