// Shared set-up for the wasm kernel tests (wasm-*.test.ts): the wasm backend loaded from
// node_modules, seeded data, and cpu-vs-wasm comparisons that also check for leaks.
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { beforeAll, expect } from 'vitest';
import { createRng, gaussian } from '../rng';

export type TestBackend = 'cpu' | 'wasm';

/** Before the file's tests: wasm binaries from node_modules, `register()`, then backend = wasm. */
export function useWasmBackend(register: () => void): void {
  beforeAll(async () => {
    const wasmMain = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
    setWasmPaths(`${path.dirname(wasmMain)}/`);
    register();
    expect(await tf.setBackend('wasm')).toBe(true);
  });
}

/** Asserts each wasm kernel in `names` is registered and keeps its kernelFunc on re-`register()`. */
export function expectRegisteredOnce(register: () => void, names: string[]): void {
  const before = names.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc);
  before.forEach((f) => expect(f).toBeTypeOf('function'));
  register();
  expect(names.map((name) => tf.getKernel(name, 'wasm')?.kernelFunc)).toEqual(before);
}

/** `count` seeded standard normal values, N(0, 1). */
export function gaussianValues(count: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: count }, () => gaussian(rng));
}

/** A tensor of seeded N(0, 1) values. */
export function gaussianTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(gaussianValues(tf.util.sizeFromShape(shape), seed), shape);
}

/** max |a − b| / max |b|: error relative to the reference's scale (b is the reference). */
export function relativeError(a: Float32Array | undefined, b: Float32Array | undefined): number {
  if (a === undefined || b === undefined) throw new Error('missing values');
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  b.forEach((v, i) => {
    err = Math.max(err, Math.abs((a[i] ?? NaN) - v));
    scale = Math.max(scale, Math.abs(v));
  });
  return err / scale;
}

/** Runs f on a backend, checks it leaves no tensor or backend buffer behind, returns its values. */
export async function valuesOn(
  backend: TestBackend,
  f: () => tf.Tensor | tf.Tensor[],
): Promise<Float32Array[]> {
  await tf.setBackend(backend);
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.engine().backend.numDataIds();
  const out = f();
  const tensors = Array.isArray(out) ? out : [out];
  const values = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
  tf.dispose(tensors);
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
  return values;
}

/** The training forward under test: logits = forward(model, xs). */
export type Forward = (model: tf.LayersModel, xs: tf.Tensor) => tf.Tensor;

export interface ModelBatch {
  model: tf.LayersModel;
  xs: tf.Tensor;
  ys: tf.Tensor;
}

/** `model` with `count` seeded N(0, 1) inputs of shape [count, ...inputShape], labelled i mod 3. */
export function seededBatch(
  model: tf.LayersModel,
  inputShape: number[],
  count: number,
  seed: number,
): ModelBatch {
  const shape = [count, ...inputShape];
  const labels = Array.from({ length: count }, (_, i) => i % 3);
  return {
    model,
    xs: tf.tensor(gaussianValues(tf.util.sizeFromShape(shape), seed), shape),
    ys: tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 3)),
  };
}

/**
 * dL/dθ for every trainable weight θ (in weight order) of L = softmaxCrossEntropy(ys, model(xs))
 * on a backend; `build` makes the model and batch there, and all of it is disposed (leak-checked).
 */
export function crossEntropyGradientsOn(
  backend: TestBackend,
  build: () => ModelBatch,
  forward: Forward = (model, xs) => model.apply(xs, { training: true }) as tf.Tensor,
): Promise<Float32Array[]> {
  return valuesOn(backend, () => {
    const { model, xs, ys } = build();
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(ys, forward(model, xs)),
      vars,
    );
    tf.dispose([value, xs, ys]);
    model.dispose();
    return vars.map((v) => {
      const g = grads[v.name];
      if (!g) throw new Error(`no gradient for ${v.name}`);
      return g;
    });
  });
}

/** Asserts wasm's dL/dθ (as crossEntropyGradientsOn) equals cpu's: `count` weights, relative 1e-4. */
export async function expectGradientsMatchCpu(
  build: () => ModelBatch,
  count: number,
): Promise<void> {
  const cpu = await crossEntropyGradientsOn('cpu', build);
  const wasm = await crossEntropyGradientsOn('wasm', build);
  expect(wasm).toHaveLength(count);
  wasm.forEach((g, i) => expect(relativeError(g, cpu[i])).toBeLessThan(1e-4));
}

/**
 * Loss L = softmaxCrossEntropy(ys, model(xs)) at the first Adam(0.01) step on wasm on one batch
 * and after `steps` more; asserts those steps leave no tensor or buffer behind, disposes the batch.
 */
export async function wasmAdamLosses(
  build: () => ModelBatch,
  steps: number,
): Promise<{ first: number; last: number }> {
  await tf.setBackend('wasm');
  const { model, xs, ys } = build();
  const optimizer = tf.train.adam(0.01);
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
  for (let i = 0; i < steps; i++) last = step();
  expect(tf.memory().numTensors).toBe(tensorsBefore);
  expect(tf.engine().backend.numDataIds()).toBe(dataBefore);
  tf.dispose([xs, ys]);
  optimizer.dispose();
  model.dispose();
  return { first, last };
}
