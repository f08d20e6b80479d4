import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../experiment/schema';
import { loadFusedTraining } from '../backends/wasm-fused-training';
import { registerFastWasmTraining } from '../backends/wasm-training';
import type { ModelBatch } from '../backends/wasm-test-setup';
import {
  crossEntropyGradientsOn,
  relativeError,
  seededBatch,
  useWasmBackend,
} from '../backends/wasm-test-setup';
import { buildModel } from '../network/build';
import { fusableBlock, trainingLogits } from './conv-block';

type Activation = 'relu' | 'tanh' | 'sigmoid';

function cnn(
  filters: [number, number],
  kernel: number,
  side: number,
  activation: Activation,
): () => tf.Sequential {
  const spec: ArchitectureSpec = {
    kind: 'cnn',
    convs: filters.map((f) => ({ filters: f, kernel })),
    dense: [12],
    activation,
  };
  return () => buildModel(spec, [side, side, 1], 3, 11);
}

/** cpu's gradients through model.apply against wasm's through the fused blocks: relative 1e-5. */
async function expectFusedGradients(build: () => ModelBatch, count: number): Promise<void> {
  const cpu = await crossEntropyGradientsOn('cpu', build);
  const fused = await crossEntropyGradientsOn('wasm', build, trainingLogits);
  expect(fused).toHaveLength(count);
  fused.forEach((g, i) => expect(relativeError(g, cpu[i])).toBeLessThan(1e-5));
}

useWasmBackend(registerFastWasmTraining);

describe('fused conv-pool blocks on wasm', () => {
  it('load, and run our kernels (not tfjs gradients) for each conv-pool block', async () => {
    expect(await loadFusedTraining()).toHaveProperty('path');
    const { model, xs } = seededBatch(cnn([4, 8], 3, 14, 'relu')(), [14, 14, 1], 2, 1);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => trainingLogits(model, xs).sum(), vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'PlaygroundActGrad')).toHaveLength(2);
    expect(names.filter((n) => n === 'PlaygroundConvFilterGrad')).toHaveLength(2);
    expect(names.filter((n) => n === 'PlaygroundConvInputGrad')).toHaveLength(1);
    expect(names.filter((n) => n === 'PlaygroundConvForward')).toHaveLength(2);
    expect(names).not.toContain('FusedConv2D');
    expect(names).not.toContain('Conv2D');
    expect(names).not.toContain('Conv2DBackpropFilter');
    expect(names).not.toContain('MaxPoolGrad');
    tf.dispose(xs);
    model.dispose();
  });

  it('equal cpu: 16 and 32 channels (full register tiles), odd batch', async () => {
    await expectFusedGradients(
      () => seededBatch(cnn([16, 32], 3, 14, 'relu')(), [14, 14, 1], 3, 2),
      8,
    );
  });

  it('equal cpu: channel counts off the tiles, odd sides (a row and a column left out of the pool)', async () => {
    await expectFusedGradients(
      () => seededBatch(cnn([6, 5], 3, 15, 'relu')(), [15, 15, 1], 4, 3),
      8,
    );
    await expectFusedGradients(
      () => seededBatch(cnn([3, 7], 5, 17, 'relu')(), [17, 17, 1], 1, 4),
      8,
    );
  });

  it('equal cpu: tanh and sigmoid blocks', async () => {
    await expectFusedGradients(
      () => seededBatch(cnn([5, 8], 3, 12, 'tanh')(), [12, 12, 1], 5, 5),
      8,
    );
    await expectFusedGradients(
      () => seededBatch(cnn([8, 4], 3, 12, 'sigmoid')(), [12, 12, 1], 2, 6),
      8,
    );
  });

  it('the same forward values as model.apply', async () => {
    const { model, xs } = seededBatch(cnn([6, 5], 3, 15, 'relu')(), [15, 15, 1], 3, 7);
    const fused = (await trainingLogits(model, xs).data()) as Float32Array;
    const plain = (await (model.apply(xs) as tf.Tensor).data()) as Float32Array;
    expect(relativeError(fused, plain)).toBeLessThan(1e-5);
    tf.dispose(xs);
    model.dispose();
  });

  it('only blocks the kernels fit: valid stride-1 conv, then a 2×2 pool', () => {
    const conv = (config: Partial<tf.layers.Layer['getConfig']> & Record<string, unknown>) =>
      tf.layers.conv2d({
        filters: 2,
        kernelSize: 3,
        activation: 'relu',
        ...config,
        inputShape: [8, 8, 1],
      });
    const pool = (poolSize: number) => tf.layers.maxPooling2d({ poolSize, strides: poolSize });
    const built = (layer: tf.layers.Layer) => {
      tf.sequential({ layers: [layer] });
      return layer;
    };
    expect(fusableBlock(built(conv({})), pool(2))).toBe('relu');
    expect(fusableBlock(built(conv({ activation: 'elu' })), pool(2))).toBeNull();
    expect(fusableBlock(built(conv({ padding: 'same' })), pool(2))).toBeNull();
    expect(fusableBlock(built(conv({ strides: 2 })), pool(2))).toBeNull();
    expect(fusableBlock(built(conv({ useBias: false })), pool(2))).toBeNull();
    expect(fusableBlock(built(conv({})), pool(3))).toBeNull();
    expect(fusableBlock(built(conv({})), undefined)).toBeNull();
  });

  it('on cpu the step is model.apply itself', async () => {
    await tf.setBackend('cpu');
    const { model, xs } = seededBatch(cnn([4, 4], 3, 10, 'relu')(), [10, 10, 1], 2, 8);
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const info = await tf.profile(() => {
      const { value, grads } = tf.variableGrads(() => trainingLogits(model, xs).sum(), vars);
      tf.dispose([value, ...Object.values(grads)]);
    });
    const names = info.kernels.map((k) => k.name);
    expect(names).toContain('Conv2DBackpropFilter');
    expect(names.some((n) => n.startsWith('Playground'))).toBe(false);
    tf.dispose(xs);
    model.dispose();
    await tf.setBackend('wasm');
  });
});
