import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../models/build';
import { createRng, gaussian } from '../rng';
import { registerFastWasmTraining } from './wasm-training';

const OVERRIDDEN = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'BatchMatMul',
  '_FusedMatMul',
];

/** A scaled-down reference teacher: conv3×3×4 → pool → conv3×3×8 → pool → dense 16 → 3. */
function smallTeacher(): tf.Sequential {
  const spec = {
    kind: 'cnn' as const,
    convs: [
      { filters: 4, kernel: 3 },
      { filters: 8, kernel: 3 },
    ],
    dense: [16],
    activation: 'relu' as const,
  };
  return buildModel(spec, [14, 14, 1], 3, 7);
}

function batch(count: number, seed: number): { xs: tf.Tensor4D; ys: tf.Tensor2D } {
  const rng = createRng(seed);
  const pixels = Float32Array.from({ length: count * 14 * 14 }, () => gaussian(rng));
  const labels = Array.from({ length: count }, (_, i) => i % 3);
  return {
    xs: tf.tensor4d(pixels, [count, 14, 14, 1]),
    ys: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3) as tf.Tensor2D),
  };
}

/** Every trainable weight's gradient of the softmax cross-entropy on one batch. */
async function gradientsOn(backend: 'cpu' | 'wasm'): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensorsBefore = tf.memory().numTensors;
  const model = smallTeacher();
  const { xs, ys } = batch(10, 3);
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const { value, grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
    vars,
  );
  const out = vars.map((v) => grads[v.name]?.dataSync() as Float32Array);
  tf.dispose([value, xs, ys, ...Object.values(grads)]);
  model.dispose();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  return out;
}

beforeAll(async () => {
  const wasmMain = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${path.dirname(wasmMain)}/`);
  registerFastWasmTraining();
  expect(await tf.setBackend('wasm')).toBe(true);
});

describe('registerFastWasmTraining', () => {
  it('registers every override and is idempotent', () => {
    const before = OVERRIDDEN.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
    before.forEach((f) => expect(f).toBeTypeOf('function'));
    registerFastWasmTraining();
    expect(OVERRIDDEN.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(before);
  });

  it('gives the same CNN gradients as cpu (relative 1e-4)', async () => {
    const cpu = await gradientsOn('cpu');
    const wasm = await gradientsOn('wasm');
    expect(wasm).toHaveLength(8);
    wasm.forEach((g, i) => {
      const ref = cpu[i] ?? new Float32Array();
      const scale = ref.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      const err = g.reduce((m, v, j) => Math.max(m, Math.abs(v - (ref[j] ?? NaN))), 0);
      expect(err / scale).toBeLessThan(1e-4);
    });
  });

  it('trains with Adam on wasm with falling loss and no leaked tensors or buffers', async () => {
    await tf.setBackend('wasm');
    const model = smallTeacher();
    const optimizer = tf.train.adam(0.01);
    const { xs, ys } = batch(24, 5);
    const step = (): number => {
      const loss = optimizer.minimize(
        () => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor),
        true,
      );
      const value = loss?.dataSync()[0] ?? NaN;
      loss?.dispose();
      return value;
    };
    const first = step(); // creates the optimizer's slot variables
    const tensorsBefore = tf.memory().numTensors;
    const dataBefore = tf.engine().backend.numDataIds();
    let last = first;
    for (let i = 0; i < 25; i++) last = step();
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
    expect(last).toBeLessThan(first * 0.7);
    tf.dispose([xs, ys]);
    optimizer.dispose();
    model.dispose();
  });
});
