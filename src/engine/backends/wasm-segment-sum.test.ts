import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerWasmUnsortedSegmentSum } from './wasm-segment-sum';
import {
  expectRegisteredOnce,
  gaussianValues,
  relativeError,
  useWasmBackend,
  valuesOn,
} from './wasm-test-setup';

useWasmBackend(registerWasmUnsortedSegmentSum);

describe('registerWasmUnsortedSegmentSum', () => {
  it('adds the kernel wasm lacks, once', () => {
    expectRegisteredOnce(registerWasmUnsortedSegmentSum, ['UnsortedSegmentSum']);
  });

  it('sums rows by segment, drops ids out of range, as cpu does', async () => {
    const ids = [2, 0, 2, 5, 1, 0, -1];
    const run = () =>
      tf.tidy(() =>
        tf.unsortedSegmentSum(
          tf.tensor2d(gaussianValues(7 * 3, 4), [7, 3]),
          tf.tensor1d(ids, 'int32'),
          4,
        ),
      );
    const [cpu] = await valuesOn('cpu', run);
    const [wasm] = await valuesOn('wasm', run);
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
    // Segment 3 has no row: zeros.
    expect(Array.from(wasm!.slice(9, 12))).toEqual([0, 0, 0]);
  });

  it('sums int32 values too', async () => {
    await tf.setBackend('wasm');
    const out = tf.unsortedSegmentSum(
      tf.tensor1d([1, 2, 3, 4], 'int32'),
      tf.tensor1d([1, 1, 0, 1], 'int32'),
      2,
    );
    expect(Array.from(out.dataSync())).toEqual([3, 7]);
    out.dispose();
  });

  it('gives gather its gradient on wasm: ∂/∂c_j sums the gradients of every entry reading c_j', async () => {
    const codes = [0, 2, 2, 1, 0, 2, 3, 3, 3, 3];
    const grad = () =>
      tf.tidy(() => {
        const table = tf.tensor1d([0.5, -1, 2, 0.25]);
        const upstream = tf.tensor1d(gaussianValues(codes.length, 9));
        return tf.grad((t: tf.Tensor) =>
          tf.gather(t, tf.tensor1d(codes, 'int32')).mul(upstream).sum(),
        )(table);
      });
    const [cpu] = await valuesOn('cpu', grad);
    const [wasm] = await valuesOn('wasm', grad);
    expect(relativeError(wasm, cpu)).toBeLessThan(1e-6);
  });
});
