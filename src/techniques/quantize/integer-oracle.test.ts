import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { fakeQuantize, quantParamsToTensors } from './stage/fake-quant';
import {
  integerConv2dValid,
  integerDense,
  quantizeLayerForIntegerInference,
} from './integer-oracle';
import { quantizeBias, requantize } from './integer-kernels';
import type { QuantParams } from './quantizer';
import { computeQuantParams, dequantize, quantize, quantParamsFromRange } from './quantizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomValues(n: number, seed: number, sd = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => sd * gaussian(rng));
}

/** Fake-quant float reference: fq_y(op(fq_x(x), fq_w(W)) + b), optionally through ReLU. */
function fakeQuantReference(
  x: Float32Array,
  xShape: number[],
  layer: ReturnType<typeof quantizeLayerForIntegerInference>,
  kernel: Float32Array,
  bias: Float32Array,
  op: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor,
): Float32Array {
  return tf.tidy(() => {
    const fq = (t: tf.Tensor, p: QuantParams) => {
      const { scale, zeroPoint } = quantParamsToTensors(p, t.rank);
      return fakeQuantize(t, scale, zeroPoint, p.qmin, p.qmax);
    };
    const xq = fq(tf.tensor(x, xShape), layer.inputParams);
    const wq = fq(tf.tensor(kernel, layer.kernelShape), layer.weightParams);
    let y = tf.add(op(xq, wq), tf.tensor1d(bias));
    if (layer.relu) y = tf.relu(y);
    return fq(y, layer.outputParams).dataSync() as Float32Array;
  });
}

function outputParamsFor(y: Float32Array): QuantParams {
  return computeQuantParams(y, [y.length], { bits: 8, scheme: 'asymmetric' });
}

describe('integer helpers', () => {
  it('bias is stored in int32 at scale s_x · s_w', () => {
    const q = quantizeBias(Float32Array.from([0.5, -0.25]), 0.1, Float32Array.from([0.01, 0.5]));
    expect(Array.from(q)).toEqual([500, -5]);
  });

  it('requantize rounds M · acc, adds z_y, clamps, and ReLU clamps at z_y', () => {
    const out: QuantParams = {
      scale: Float32Array.from([0.01]),
      zeroPoint: Int32Array.from([128]),
      qmin: 0,
      qmax: 255,
      bits: 8,
      axis: null,
    };
    expect(requantize(1000, 0.01, out, false)).toBe(138);
    expect(requantize(-1000, 0.01, out, false)).toBe(118);
    expect(requantize(-1000, 0.01, out, true)).toBe(128);
    expect(requantize(1e6, 0.01, out, false)).toBe(255);
    expect(requantize(250, 0.01, out, false)).toBe(130); // 2.5 → 2 (ties to even)
  });
});

describe('integer inference matches fake-quant within one output step', () => {
  for (const [weightBits, perChannel, relu] of [
    [8, true, false],
    [8, false, true],
    [4, true, true],
  ] as const) {
    it(`dense, ${weightBits}-bit weights, ${perChannel ? 'per-channel' : 'per-tensor'}, relu ${relu}`, () => {
      const before = tf.memory().numTensors;
      const [batch, inDim, outDim] = [16, 24, 6];
      const x = randomValues(batch * inDim, 1);
      const kernel = randomValues(inDim * outDim, 2, 0.3);
      const bias = randomValues(outDim, 3, 0.1);
      const inputParams = computeQuantParams(x, [x.length], { bits: 8, scheme: 'asymmetric' });
      const yFloat = tf.tidy(() => {
        const y = tf.add(
          tf.matMul(tf.tensor2d(x, [batch, inDim]), tf.tensor2d(kernel, [inDim, outDim])),
          bias,
        );
        return (relu ? tf.relu(y) : y).dataSync() as Float32Array;
      });
      const outputParams = outputParamsFor(yFloat);
      const layer = quantizeLayerForIntegerInference(
        kernel,
        [inDim, outDim],
        bias,
        inputParams,
        outputParams,
        {
          weightBits,
          perChannel,
          relu,
        },
      );
      expect(layer.weightParams.scale.length).toBe(perChannel ? outDim : 1);
      const qy = integerDense(quantize(x, inputParams), batch, layer);
      const yInt = dequantize(qy, outputParams);
      const yFq = fakeQuantReference(x, [batch, inDim], layer, kernel, bias, (a, b) =>
        tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D),
      );
      const step = outputParams.scale[0]!;
      let exact = 0;
      for (let i = 0; i < yInt.length; i++) {
        expect(Math.abs(yInt[i]! - yFq[i]!)).toBeLessThanOrEqual(step * 1.0001);
        if (Math.abs(yInt[i]! - yFq[i]!) < step / 2) exact++;
      }
      expect(exact / yInt.length).toBeGreaterThan(0.95);
      expect(qy.every((v) => v >= 0 && v <= 255)).toBe(true);
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('conv2d, valid padding, stride 1', () => {
    const before = tf.memory().numTensors;
    const xShape: [number, number, number, number] = [2, 6, 5, 3];
    const kShape = [3, 2, 3, 4];
    const x = randomValues(2 * 6 * 5 * 3, 4);
    const kernel = randomValues(3 * 2 * 3 * 4, 5, 0.3);
    const bias = randomValues(4, 6, 0.1);
    const inputParams = computeQuantParams(x, [x.length], { bits: 8, scheme: 'asymmetric' });
    const yFloat = tf.tidy(
      () =>
        tf
          .add(
            tf.conv2d(
              tf.tensor4d(x, xShape),
              tf.tensor4d(kernel, kShape as [number, number, number, number]),
              1,
              'valid',
            ),
            bias,
          )
          .dataSync() as Float32Array,
    );
    const outputParams = outputParamsFor(yFloat);
    const layer = quantizeLayerForIntegerInference(kernel, kShape, bias, inputParams, outputParams);
    const { values, shape } = integerConv2dValid(quantize(x, inputParams), xShape, layer);
    expect(shape).toEqual([2, 4, 4, 4]);
    const yInt = dequantize(values, outputParams);
    const yFq = fakeQuantReference(x, xShape, layer, kernel, bias, (a, b) =>
      tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'valid'),
    );
    const step = outputParams.scale[0]!;
    for (let i = 0; i < yInt.length; i++) {
      expect(Math.abs(yInt[i]! - yFq[i]!)).toBeLessThanOrEqual(step * 1.0001);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects per-channel activations and mismatched inputs', () => {
    const k = new Float32Array(6);
    const pc = computeQuantParams(Float32Array.from([1, 2]), [1, 2], {
      bits: 8,
      scheme: 'asymmetric',
      axis: 1,
    });
    const pt = quantParamsFromRange([0], [1], { bits: 8, scheme: 'asymmetric' });
    expect(() => quantizeLayerForIntegerInference(k, [3, 2], null, pc, pt)).toThrow(/per-tensor/);
    const layer = quantizeLayerForIntegerInference(k, [3, 2], null, pt, pt);
    expect(() => integerDense(new Int32Array(5), 2, layer)).toThrow(RangeError);
  });
});
