import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../rng';
import { makeUntransposedMatMul, registerWasmUntransposedMatMul } from './wasm-matmul';

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const values = Float32Array.from({ length: tf.util.sizeFromShape(shape) }, () => gaussian(rng));
  return tf.tensor(values, shape);
}

/** max |a − b| / max |b|: error relative to the reference's scale. */
function relativeError(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  b.forEach((v, i) => {
    err = Math.max(err, Math.abs((a[i] ?? NaN) - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return err / scale;
}

/** Runs f on a backend, checks it leaves no tensor or wasm buffer behind, returns its values. */
async function valuesOn(backend: 'cpu' | 'wasm', f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(backend);
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.engine().backend.numDataIds();
  const out = f();
  const values = (await out.data()) as Float32Array;
  out.dispose();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
  return values;
}

const plain = (c: MatMulCase) => () =>
  tf.tidy(() => tf.matMul(randomTensor(c.a, 1), randomTensor(c.b, 2), c.transposeA, c.transposeB));

const fused = (c: MatMulCase, activation: 'relu' | 'linear') => () =>
  tf.tidy(() => {
    const n = c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
    return tf.fused.matMul({
      a: randomTensor(c.a, 1),
      b: randomTensor(c.b, 2),
      transposeA: c.transposeA,
      transposeB: c.transposeB,
      bias: randomTensor([n ?? 1], 3),
      activation,
    });
  });

beforeAll(async () => {
  const wasmMain = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${path.dirname(wasmMain)}/`);
  registerWasmUntransposedMatMul();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('registerWasmUntransposedMatMul', () => {
  it('replaces both wasm matmul kernels once and is idempotent', () => {
    const batch = tf.getKernel('BatchMatMul', 'wasm');
    const fusedKernel = tf.getKernel('_FusedMatMul', 'wasm');
    expect(batch?.setupFunc).toBeTypeOf('function');
    registerWasmUntransposedMatMul();
    expect(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc).toBe(batch?.kernelFunc);
    expect(tf.getKernel('_FusedMatMul', 'wasm')?.kernelFunc).toBe(fusedKernel?.kernelFunc);
  });

  it('gives a hand-computed product for Aᵀ·Bᵀ', async () => {
    // A = [[1,2],[3,4]], B = [[5,6],[7,8]]: Aᵀ·Bᵀ = [[1·5+3·6, 1·7+3·8], [2·5+4·6, 2·7+4·8]].
    const values = await valuesOn('wasm', () =>
      tf.tidy(() =>
        tf.matMul(
          [
            [1, 2],
            [3, 4],
          ],
          [
            [5, 6],
            [7, 8],
          ],
          true,
          true,
        ),
      ),
    );
    expect(Array.from(values)).toEqual([23, 31, 34, 46]);
  });

  const cases: MatMulCase[] = [
    { a: [128, 128], b: [800, 128], transposeA: false, transposeB: true },
    { a: [128, 800], b: [128, 128], transposeA: true, transposeB: false },
    { a: [7, 5], b: [3, 7], transposeA: true, transposeB: true },
    { a: [1, 9, 4], b: [1, 6, 4], transposeA: false, transposeB: true },
    { a: [1, 1, 6], b: [1, 1, 5], transposeA: true, transposeB: false },
    { a: [3, 4, 5], b: [3, 6, 5], transposeA: false, transposeB: true },
    { a: [2, 5, 4], b: [1, 5, 3], transposeA: true, transposeB: false },
    { a: [6, 10], b: [10, 4], transposeA: false, transposeB: false },
  ];
  it.each(cases)(
    'matMul matches cpu for a $a, b $b, transposeA $transposeA, transposeB $transposeB',
    async (c) => {
      const cpu = await valuesOn('cpu', plain(c));
      const wasm = await valuesOn('wasm', plain(c));
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
    },
  );

  it.each(cases.filter((c) => c.a.length === 2))(
    'fused matMul with bias and relu matches cpu for a $a, b $b, transposeB $transposeB',
    async (c) => {
      for (const activation of ['relu', 'linear'] as const) {
        const cpu = await valuesOn('cpu', fused(c, activation));
        const wasm = await valuesOn('wasm', fused(c, activation));
        expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
      }
    },
  );

  it('hands the stock kernel untransposed single matrices, and batched ones unchanged', async () => {
    await tf.setBackend('wasm');
    const stock = tf.getKernel('BatchMatMul', 'wasm');
    const seen: NamedAttrMap[] = [];
    const spy: KernelFunc = (args) => {
      seen.push(args.attrs ?? {});
      return stock?.kernelFunc(args) as TensorInfo;
    };
    const wrapped = makeUntransposedMatMul(spy);
    const run = (a: tf.Tensor, b: tf.Tensor): number[] => {
      const attrs = { transposeA: true, transposeB: true };
      const info = wrapped({ inputs: { a, b }, backend: tf.backend(), attrs }) as TensorInfo;
      const out = tf.engine().makeTensorFromTensorInfo(info);
      const shape = out.shape;
      out.dispose();
      return shape;
    };
    const [a, b, a3, b3] = [
      [1, 3, 2],
      [1, 4, 3],
      [2, 3, 2],
      [2, 4, 3],
    ].map((s, i) => randomTensor(s, i)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
    const dataBefore = tf.engine().backend.numDataIds();
    expect(run(a, b)).toEqual([1, 2, 4]);
    expect(run(a3, b3)).toEqual([2, 2, 4]);
    expect(seen).toEqual([
      { transposeA: false, transposeB: false },
      { transposeA: true, transposeB: true },
    ]);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    tf.dispose([a, b, a3, b3]);
  });

  it('gives dense-layer gradients equal to cpu (dX = dY·Wᵀ, dW = Xᵀ·dY)', async () => {
    const gradsOn = async (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> => {
      await tf.setBackend(backend);
      const tensorsBefore = tf.memory().numTensors;
      const grads = tf.tidy(() => {
        const x = randomTensor([16, 24], 4);
        const w = randomTensor([24, 12], 5);
        const bias = randomTensor([12], 6);
        const r = randomTensor([16, 12], 7);
        const f = (xs: tf.Tensor, ws: tf.Tensor) =>
          tf.fused
            .matMul({ a: xs as tf.Tensor2D, b: ws as tf.Tensor2D, bias, activation: 'relu' })
            .mul(r)
            .sum();
        return tf.grads(f)([x, w]);
      });
      const values = grads.map((g) => g.dataSync() as Float32Array);
      tf.dispose(grads);
      expect(tf.memory().numTensors).toBe(tensorsBefore);
      return values;
    };
    const cpu = await gradsOn('cpu');
    const wasm = await gradsOn('wasm');
    expect(wasm).toHaveLength(2);
    wasm.forEach((g, i) =>
      expect(relativeError(g, cpu[i] ?? new Float32Array())).toBeLessThan(1e-5),
    );
  });
});
