import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { KernelLayer, convGeometry, denseGeometry, weightLayerKind } from './kernel-layer';
import type { ConvArgs, DenseArgs, KernelLayerArgs } from './kernel-layer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A layer whose hook doubles the kernel: proves the forward pass goes through forwardKernel only. */
class DoubledDense extends KernelLayer {
  static className = 'DoubledDenseTest';
  constructor(args: KernelLayerArgs & DenseArgs) {
    super(args, denseGeometry(args));
  }
  protected forwardKernel(): tf.Tensor {
    return tf.mul(this.maskedKernel(), 2);
  }
}

class DoubledConv extends KernelLayer {
  static className = 'DoubledConvTest';
  constructor(args: KernelLayerArgs & ConvArgs) {
    super(args, convGeometry(args));
  }
  protected forwardKernel(): tf.Tensor {
    return tf.mul(this.maskedKernel(), 2);
  }
}

function values(t: tf.Tensor): number[] {
  return Array.from(t.dataSync());
}

describe('KernelLayer', () => {
  it('dense: y = f(x · K̃ + b) with K̃ from the hook and the mask applied first', () => {
    const layer = new DoubledDense({ units: 2, masked: true, activation: 'relu' });
    const x = tf.tensor2d([[1, 2, 3]]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    const k = tf.tensor2d([1, -1, 2, 0.5, -3, 1], [3, 2]);
    const b = tf.tensor1d([0.5, -0.5]);
    layer.setWeights([k, b, tf.ones([3, 2])]);
    layer.setMask(Float32Array.from([1, 1, 0, 1, 1, 1]));
    // K ⊙ M = [[1,-1],[0,0.5],[-3,1]]; x·2(K⊙M) = [2·(1−9), 2·(−1+1+3)] = [−16, 6]; + b, relu
    expect(values(layer.apply(x) as tf.Tensor)).toEqual([0, 5.5]);
    expect(Array.from(layer.maskedKernelValues())).toEqual([1, -1, 0, 0.5, -3, 1]);
    layer.bakeMask();
    expect(values(layer.getWeights()[0]!)).toEqual([1, -1, 0, 0.5, -3, 1]);
    tf.dispose([x, k, b]);
    layer.dispose();
  });

  it('conv: strides and same padding follow tf.conv2d; output shape matches the tensor', () => {
    const layer = new DoubledConv({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' });
    const x = tf.randomNormal([2, 7, 7, 2], 0, 1, 'float32', 5);
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual(layer.computeOutputShape([2, 7, 7, 2]));
    expect(y.shape).toEqual([2, 4, 4, 3]);
    const [k, b] = layer.getWeights();
    const expected = tf.tidy(() =>
      tf.add(tf.conv2d(x as tf.Tensor4D, tf.mul(k!, 2) as tf.Tensor4D, 2, 'same'), b!),
    );
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    expect(
      new DoubledConv({ filters: 1, kernelSize: [3, 2] }).computeOutputShape([1, 5, 5, 1]),
    ).toEqual([1, 3, 4, 1]);
    tf.dispose([x, y, expected]);
    layer.dispose();
  });

  it('weights are kernel, bias, then the non-trainable mask; no mask unless asked', () => {
    const masked = new DoubledDense({ units: 2, masked: true });
    const plain = new DoubledDense({ units: 2, useBias: false });
    const x = tf.ones([1, 3]);
    tf.dispose([masked.apply(x) as tf.Tensor, plain.apply(x) as tf.Tensor]);
    expect(masked.weights.map((w) => w.originalName.split('/').pop())).toEqual([
      'kernel',
      'bias',
      'mask',
    ]);
    expect(masked.nonTrainableWeights).toHaveLength(1);
    expect(plain.weights).toHaveLength(1);
    expect(() => plain.setMask(new Float32Array(6))).toThrow(/keeps no pruning mask/);
    expect(() => plain.getMask()).toThrow(/keeps no pruning mask/);
    // Reading the values of an unmasked kernel leaves the kernel alive.
    plain.maskedKernelValues();
    expect(values(plain.apply(x) as tf.Tensor)).toHaveLength(2);
    x.dispose();
    masked.dispose();
    plain.dispose();
  });

  it('a mask set before build is applied when the layer builds', () => {
    const layer = new DoubledDense({ units: 1, masked: true, seed: 3 });
    layer.setMask(Float32Array.from([0, 1]));
    const x = tf.ones([1, 2]);
    tf.dispose(layer.apply(x) as tf.Tensor);
    expect(Array.from(layer.getMask())).toEqual([0, 1]);
    expect(Math.abs(layer.maskedKernelValues()[0]!)).toBe(0);
    x.dispose();
    layer.dispose();
  });

  it('rejects bad geometry and activations with readable errors', () => {
    expect(() => denseGeometry({ units: 0 })).toThrow(/units must be a whole number/);
    expect(() => convGeometry({ filters: 2, kernelSize: 0 })).toThrow(/kernel height/);
    expect(() => convGeometry({ filters: 2, kernelSize: 3, strides: 1.5 })).toThrow(/stride/);
    expect(() => convGeometry({ filters: 2, kernelSize: 3, padding: 'full' as 'same' })).toThrow(
      /Padding/,
    );
    expect(() => new DoubledDense({ units: 1, activation: 'gelu' as 'relu' })).toThrow(
      /Unknown activation/,
    );
    const conv = new DoubledConv({ filters: 1, kernelSize: 5 });
    expect(() => conv.computeOutputShape([1, 3, 3, 1])).toThrow(/smaller than its kernel/);
  });

  it('weightLayerKind names plain and kernel layers, null for the rest', () => {
    expect(weightLayerKind(tf.layers.dense({ units: 1 }))).toBe('dense');
    expect(weightLayerKind(tf.layers.conv2d({ filters: 1, kernelSize: 1 }))).toBe('conv');
    expect(weightLayerKind(new DoubledDense({ units: 1 }))).toBe('dense');
    expect(weightLayerKind(new DoubledConv({ filters: 1, kernelSize: 1 }))).toBe('conv');
    expect(weightLayerKind(tf.layers.flatten())).toBeNull();
  });
});
