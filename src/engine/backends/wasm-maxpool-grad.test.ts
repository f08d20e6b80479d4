import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerWasmMaxPoolGrad } from './wasm-maxpool-grad';
import {
  expectRegisteredOnce,
  gaussianValues,
  relativeError,
  useWasmBackend,
  valuesOn,
} from './wasm-test-setup';

interface PoolCase {
  x: [number, number, number, number];
  filter: number;
  strides: number;
  pad: 'valid' | 'same' | number;
  /** ReLU the inputs so windows tie; without it, padded windows may hold only negatives. */
  ties: boolean;
}

/** Gaussian values, with ReLU applied when ties are wanted (windows of zeros, as in a CNN). */
function noise(shape: [number, number, number, number], seed: number, ties: boolean): tf.Tensor4D {
  const values = gaussianValues(tf.util.sizeFromShape(shape), seed);
  return tf.tensor4d(ties ? values.map((v) => Math.max(0, v)) : values, shape);
}

/** dL/dx of L = Σ maxPool(x)·r on one backend, checking nothing leaks. */
async function poolGrad(backend: 'cpu' | 'wasm', c: PoolCase): Promise<Float32Array | undefined> {
  const pool = (x: tf.Tensor) => tf.maxPool(x as tf.Tensor4D, c.filter, c.strides, c.pad);
  const [dx] = await valuesOn(backend, () =>
    tf.tidy(() => {
      const x = noise(c.x, 1, c.ties);
      const r = tf.tidy(() => tf.randomNormal(pool(x).shape, 0, 1, 'float32', 2));
      return tf.grad((xs: tf.Tensor) => pool(xs).mul(r).sum())(x);
    }),
  );
  return dx;
}

useWasmBackend(registerWasmMaxPoolGrad);

describe('registerWasmMaxPoolGrad', () => {
  it('replaces the wasm kernel once and is idempotent', () => {
    expect(tf.getKernel('MaxPoolGrad', 'wasm')?.setupFunc).toBeTypeOf('function');
    expectRegisteredOnce(registerWasmMaxPoolGrad, ['MaxPoolGrad']);
  });

  it('routes dy to the first maximum of each window, row-major, and 0 elsewhere', async () => {
    await tf.setBackend('wasm');
    // Windows: [1,5,2,0] → max 5 (row 0, col 1); [0,0,0,0] → tie, first; [3,3,1,2] → first 3;
    // [-Inf ×4] → no maximum, no gradient (as on cpu). Last row and column are uncovered.
    const ninf = -Infinity;
    const x = tf.tensor4d(
      [1, 5, 0, 0, 7, 2, 0, 0, 0, 9, 3, 3, ninf, ninf, 8, 1, 2, ninf, ninf, 4, 6, 6, 6, 6, 6],
      [1, 5, 5, 1],
    );
    const dy = tf.tensor4d([10, 20, 30, 40], [1, 2, 2, 1]);
    const y = tf.maxPool(x, 2, 2, 'valid');
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const dx = tf
      .engine()
      .runKernel('MaxPoolGrad', { dy, input: x, output: y }, attrs) as tf.Tensor;
    expect(Array.from(dx.dataSync())).toEqual([
      0, 10, 20, 0, 0, 0, 0, 0, 0, 0, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    tf.dispose([x, dy, y, dx]);
  });

  const cases: PoolCase[] = [
    { x: [2, 6, 6, 3], filter: 2, strides: 2, pad: 'valid', ties: true },
    { x: [8, 26, 26, 16], filter: 2, strides: 2, pad: 'valid', ties: true },
    { x: [8, 11, 11, 32], filter: 2, strides: 2, pad: 'valid', ties: true },
    { x: [3, 7, 9, 5], filter: 2, strides: 2, pad: 'valid', ties: false },
    { x: [2, 5, 7, 4], filter: 2, strides: 2, pad: 'same', ties: true },
    { x: [2, 5, 7, 4], filter: 2, strides: 2, pad: 'same', ties: false },
    { x: [2, 8, 6, 2], filter: 2, strides: 2, pad: 'same', ties: true },
    { x: [2, 6, 6, 3], filter: 2, strides: 2, pad: 0, ties: true },
    { x: [2, 7, 7, 3], filter: 3, strides: 2, pad: 'valid', ties: true },
    { x: [2, 6, 6, 3], filter: 2, strides: 1, pad: 'same', ties: true },
    { x: [2, 6, 6, 3], filter: 2, strides: 1, pad: 'same', ties: false },
    { x: [2, 9, 8, 3], filter: 3, strides: 1, pad: 'same', ties: true },
    { x: [2, 6, 6, 3], filter: 2, strides: 2, pad: 1, ties: false },
    { x: [1, 10, 10, 2], filter: 4, strides: 3, pad: 'same', ties: false },
  ];
  it.each(cases)(
    'matches cpu for x $x, pool $filter, stride $strides, pad $pad, ties $ties',
    async (c) => {
      const cpu = await poolGrad('cpu', c);
      const wasm = await poolGrad('wasm', c);
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
    },
  );
});
