import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { foldBatchNorm } from './batchnorm-fold';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(n: number, seed: number, offset = 0): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => offset + gaussian(rng));
}

describe('foldBatchNorm', () => {
  it('by hand: W′ = W·γ/√(σ²+ε), b′ = (b − μ)·γ/√(σ²+ε) + β', () => {
    const folded = foldBatchNorm(
      Float32Array.from([1, 2, 3, 4]), // dense [2, 2]
      Float32Array.from([1, -1]),
      Float32Array.from([2, 0.5]),
      Float32Array.from([0, 1]),
      Float32Array.from([0.5, 1]),
      Float32Array.from([3, 15]),
      1,
    );
    // factors: 2/√4 = 1, 0.5/√16 = 0.125
    expect(Array.from(folded.kernel)).toEqual([1, 0.25, 3, 0.5]);
    expect(Array.from(folded.bias)).toEqual([0.5, (-1 - 1) * 0.125 + 1]);
  });

  it('a folded conv equals conv → batch norm (inference) in tfjs', () => {
    const kernel = values(2 * 2 * 3 * 4, 1);
    const bias = values(4, 2);
    const [gamma, beta, mean] = [values(4, 3, 1), values(4, 4), values(4, 5)];
    const variance = Float32Array.from(values(4, 6), (v) => v * v + 0.1);
    const folded = foldBatchNorm(kernel, bias, gamma, beta, mean, variance, 1e-3);
    const diff = tf.tidy(() => {
      const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
      const k = tf.tensor4d(kernel, [2, 2, 3, 4]);
      const y = tf.add(tf.conv2d(x, k, 1, 'valid'), tf.tensor1d(bias));
      const bn = tf.batchNorm(
        y,
        tf.tensor1d(mean),
        tf.tensor1d(variance),
        tf.tensor1d(beta),
        tf.tensor1d(gamma),
        1e-3,
      );
      const k2 = tf.tensor4d(folded.kernel, [2, 2, 3, 4]);
      const y2 = tf.add(tf.conv2d(x, k2, 1, 'valid'), tf.tensor1d(folded.bias));
      return tf.max(tf.abs(tf.sub(bn, y2))).dataSync()[0]!;
    });
    expect(diff).toBeLessThan(1e-4);
  });

  it('treats a missing bias as zeros and rejects mismatched shapes', () => {
    const one = Float32Array.from([1]);
    expect(
      Array.from(foldBatchNorm(Float32Array.from([2]), null, one, one, one, one, 0).bias),
    ).toEqual([0]);
    expect(() =>
      foldBatchNorm(
        Float32Array.from([1, 2, 3]),
        null,
        Float32Array.from([1, 1]),
        new Float32Array(2),
        new Float32Array(2),
        Float32Array.from([1, 1]),
      ),
    ).toThrow(/output channels/);
    expect(() => foldBatchNorm(one, null, one, one, one, Float32Array.from([0]), 0)).toThrow(
      /above 0/,
    );
  });
});
