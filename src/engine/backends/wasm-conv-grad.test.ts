import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerWasmConvGradients } from './wasm-conv-grad';
import type { ModelBatch } from './wasm-test-setup';
import {
  expectGradientsMatchCpu,
  expectRegisteredOnce,
  gaussianTensor,
  gaussianValues,
  relativeError,
  seededBatch,
  useWasmBackend,
  wasmAdamLosses,
  valuesOn,
} from './wasm-test-setup';

type Pad = 'valid' | 'same' | number | [[0, 0], [number, number], [number, number], [0, 0]];
interface ConvCase {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides: number | [number, number];
  pad: Pad;
}

/** Both conv2d gradients, via tf.grads of Σ conv2d(x, w)·r (so dy = r), on one backend. */
function convGrads(backend: 'cpu' | 'wasm', c: ConvCase): Promise<Float32Array[]> {
  const conv = (x: tf.Tensor, w: tf.Tensor): tf.Tensor =>
    tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.strides, c.pad);
  return valuesOn(backend, () =>
    tf.tidy(() => {
      const x = gaussianTensor(c.x, 1);
      const w = gaussianTensor(c.filter, 2);
      const r = gaussianTensor(conv(x, w).shape, 3);
      return tf.grads((xs: tf.Tensor, ws: tf.Tensor) => conv(xs, ws).mul(r).sum())([x, w]);
    }),
  );
}

/** A 12×12×1 → 3-class CNN with seeded weights, so runs on both backends start equal. */
function smallCnn(): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const seeded = model.getWeights().map((v, i) => {
    const values = gaussianValues(v.size, 10 + i).map((g) => 0.3 * g);
    return tf.tensor(values, v.shape);
  });
  model.setWeights(seeded);
  tf.dispose(seeded);
  return model;
}

const cnnBatch = (count: number, seed: number): ModelBatch =>
  seededBatch(smallCnn(), [12, 12, 1], count, seed);

useWasmBackend(registerWasmConvGradients);

describe('registerWasmConvGradients', () => {
  it('registers Conv2DBackpropFilter for wasm and is idempotent', () => {
    expectRegisteredOnce(registerWasmConvGradients, [
      'Conv2DBackpropFilter',
      'Conv2DBackpropInput',
    ]);
  });

  it('gives hand-computed gradients for L = Σ conv2d: dW = Σ over windows, dx = window count', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d([1, 2, 3, 4, 5, 6, 7, 8, 9], [1, 3, 3, 1]);
    const w = tf.ones([2, 2, 1, 1]);
    const loss = (xs: tf.Tensor, ws: tf.Tensor) =>
      tf.conv2d(xs as tf.Tensor4D, ws as tf.Tensor4D, 1, 'valid').sum();
    const [dx, dw] = tf.grads(loss)([x, w]);
    expect(Array.from(dw?.dataSync() ?? [])).toEqual([12, 16, 24, 28]);
    expect(Array.from(dx?.dataSync() ?? [])).toEqual([1, 2, 1, 2, 4, 2, 1, 2, 1]);
    tf.dispose([x, w, dx, dw].filter((t) => t !== undefined));
  });

  const cases: ConvCase[] = [
    { x: [1, 6, 6, 1], filter: [1, 1, 1, 2], strides: 1, pad: 'valid' },
    { x: [2, 9, 9, 1], filter: [3, 3, 1, 4], strides: 1, pad: 'valid' },
    { x: [3, 8, 7, 2], filter: [3, 3, 2, 5], strides: 2, pad: 'same' },
    { x: [4, 10, 10, 3], filter: [1, 1, 3, 8], strides: 2, pad: 'valid' },
    { x: [2, 11, 9, 4], filter: [5, 5, 4, 3], strides: 2, pad: 'valid' },
    { x: [2, 12, 10, 4], filter: [5, 5, 4, 3], strides: 2, pad: 'valid' },
    { x: [8, 13, 13, 16], filter: [3, 3, 16, 32], strides: 1, pad: 'valid' },
    { x: [5, 12, 12, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'same' },
    { x: [2, 16, 16, 32], filter: [5, 5, 32, 8], strides: 2, pad: 'same' },
    { x: [3, 9, 10, 6], filter: [5, 5, 6, 4], strides: [1, 2], pad: 'same' },
    {
      x: [2, 7, 8, 3],
      filter: [3, 2, 3, 4],
      strides: 1,
      pad: [
        [0, 0],
        [2, 0],
        [1, 1],
        [0, 0],
      ],
    },
    { x: [2, 8, 8, 5], filter: [4, 4, 5, 6], strides: 1, pad: 'same' },
    { x: [2, 6, 6, 3], filter: [3, 3, 3, 24], strides: 1, pad: 1 },
    { x: [2, 6, 6, 8], filter: [3, 3, 8, 4], strides: 1, pad: 2 },
    { x: [2, 6, 7, 8], filter: [3, 3, 8, 4], strides: 2, pad: 1 },
    {
      x: [2, 9, 9, 4],
      filter: [3, 3, 4, 6],
      strides: [2, 1],
      pad: [
        [0, 0],
        [1, 2],
        [0, 1],
        [0, 0],
      ],
    },
  ];
  it.each(cases)(
    'matches cpu gradients for x $x, filter $filter, stride $strides, pad $pad',
    async (c) => {
      const [dxCpu, dwCpu] = await convGrads('cpu', c);
      const [dxWasm, dwWasm] = await convGrads('wasm', c);
      expect(relativeError(dwWasm, dwCpu)).toBeLessThan(1e-5);
      expect(relativeError(dxWasm, dxCpu)).toBeLessThan(1e-5);
    },
  );

  it('rejects what it does not implement with a clear message', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([1, 5, 5, 2]);
    const w = tf.ones([3, 3, 2, 2]);
    const dilated = (f: tf.Tensor) =>
      tf.conv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'valid', 'NHWC', 2).sum();
    expect(() => tf.grad(dilated)(w)).toThrow(/dilation/);
    const dy = tf.ones([1, 3, 3, 2]);
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 2, 2] };
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs)).toThrow(/NHWC/);
    tf.dispose([x, w, dy]);
  });

  it('computes variableGrads through a small conv net the same as cpu', async () => {
    await expectGradientsMatchCpu(() => cnnBatch(6, 7), 6);
  });

  it('trains a small CNN on wasm for 20 Adam steps with falling loss and no leaks', async () => {
    const { first, last } = await wasmAdamLosses(() => cnnBatch(12, 8), 20);
    expect(last).toBeLessThan(first * 0.8);
  });
});
