import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { makeUntransposedMatMul, registerWasmUntransposedMatMul } from './wasm-matmul';
import {
  expectRegisteredOnce,
  gaussianTensor,
  relativeError,
  useWasmBackend,
  valuesOn,
} from './wasm-test-setup';

interface MatMulCase {
  a: number[];
  b: number[];
  transposeA: boolean;
  transposeB: boolean;
}

const plain = (c: MatMulCase) => () =>
  tf.tidy(() =>
    tf.matMul(gaussianTensor(c.a, 1), gaussianTensor(c.b, 2), c.transposeA, c.transposeB),
  );

const fused = (c: MatMulCase, activation: 'relu' | 'linear') => () =>
  tf.tidy(() => {
    const n = c.transposeB ? c.b[c.b.length - 2] : c.b[c.b.length - 1];
    return tf.fused.matMul({
      a: gaussianTensor(c.a, 1),
      b: gaussianTensor(c.b, 2),
      transposeA: c.transposeA,
      transposeB: c.transposeB,
      bias: gaussianTensor([n ?? 1], 3),
      activation,
    });
  });

useWasmBackend(registerWasmUntransposedMatMul);

describe('registerWasmUntransposedMatMul', () => {
  it('replaces both wasm matmul kernels once and is idempotent', () => {
    expect(tf.getKernel('BatchMatMul', 'wasm')?.setupFunc).toBeTypeOf('function');
    expectRegisteredOnce(registerWasmUntransposedMatMul, ['BatchMatMul', '_FusedMatMul']);
  });

  it('gives a hand-computed product for Aᵀ·Bᵀ', async () => {
    // A = [[1,2],[3,4]], B = [[5,6],[7,8]]: Aᵀ·Bᵀ = [[1·5+3·6, 1·7+3·8], [2·5+4·6, 2·7+4·8]].
    const [values] = await valuesOn('wasm', () =>
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
    expect(Array.from(values ?? [])).toEqual([23, 31, 34, 46]);
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
      const [cpu] = await valuesOn('cpu', plain(c));
      const [wasm] = await valuesOn('wasm', plain(c));
      expect(relativeError(wasm, cpu)).toBeLessThan(1e-5);
    },
  );

  it.each(cases.filter((c) => c.a.length === 2))(
    'fused matMul with bias and relu matches cpu for a $a, b $b, transposeB $transposeB',
    async (c) => {
      for (const activation of ['relu', 'linear'] as const) {
        const [cpu] = await valuesOn('cpu', fused(c, activation));
        const [wasm] = await valuesOn('wasm', fused(c, activation));
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
    ].map((s, i) => gaussianTensor(s, i)) as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
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
    const gradsOn = (backend: 'cpu' | 'wasm'): Promise<Float32Array[]> =>
      valuesOn(backend, () =>
        tf.tidy(() => {
          const x = gaussianTensor([16, 24], 4);
          const w = gaussianTensor([24, 12], 5);
          const bias = gaussianTensor([12], 6);
          const r = gaussianTensor([16, 12], 7);
          const f = (xs: tf.Tensor, ws: tf.Tensor) =>
            tf.fused
              .matMul({ a: xs as tf.Tensor2D, b: ws as tf.Tensor2D, bias, activation: 'relu' })
              .mul(r)
              .sum();
          return tf.grads(f)([x, w]);
        }),
      );
    const cpu = await gradsOn('cpu');
    const wasm = await gradsOn('wasm');
    expect(wasm).toHaveLength(2);
    wasm.forEach((g, i) => expect(relativeError(g, cpu[i])).toBeLessThan(1e-5));
  });
});
