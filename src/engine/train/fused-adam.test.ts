import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { fusedTrainingActive, loadFusedTraining } from '../backends/wasm-fused-training';
import { registerFastWasmTraining } from '../backends/wasm-training';
import { gaussianTensor, useWasmBackend } from '../backends/wasm-test-setup';
import { fusedAdam } from './fused-adam';

/** Weights after `steps` of optimizer on L = Σ (θ ⊙ x − t)² from fixed starts (odd sizes). */
async function trained(optimizer: tf.Optimizer, steps: number): Promise<Float32Array[]> {
  const shapes = [[7, 5], [13], [3, 3, 2, 6]];
  const vars = shapes.map((s, i) => tf.tidy(() => tf.variable(gaussianTensor(s, 10 + i))));
  const xs = shapes.map((s, i) => gaussianTensor(s, 20 + i));
  const targets = shapes.map((s, i) => gaussianTensor(s, 30 + i));
  for (let step = 0; step < steps; step++) {
    const loss = optimizer.minimize(
      () =>
        tf.addN(
          vars.map((v, i) => tf.sum(tf.square(tf.sub(tf.mul(v, xs[i]!), targets[i]!)))),
        ) as tf.Scalar,
      true,
    );
    loss?.dispose();
  }
  const values = await Promise.all(vars.map(async (v) => (await v.data()) as Float32Array));
  tf.dispose([...vars, ...xs, ...targets]);
  optimizer.dispose();
  return values;
}

useWasmBackend(registerFastWasmTraining);

describe('fused Adam', () => {
  it('gives the same bits as tf.train.adam, in one kernel per variable, leaking nothing', async () => {
    expect(await loadFusedTraining()).toHaveProperty('path');
    expect(fusedTrainingActive()).toBe(true);
    const stock = await trained(tf.train.adam(0.05), 6);
    const before = tf.memory().numTensors;
    const fused = await trained(fusedAdam(0.05), 6);
    expect(tf.memory().numTensors).toBe(before);
    fused.forEach((f, i) => expect(Array.from(f)).toEqual(Array.from(stock[i]!)));
    const optimizer = fusedAdam(0.05);
    const v = tf.tidy(() => tf.variable(gaussianTensor([9], 1)));
    const info = await tf.profile(() => {
      optimizer.minimize(() => tf.sum(tf.square(v)), false);
      optimizer.minimize(() => tf.sum(tf.square(v)), false);
    });
    const names = info.kernels.map((k) => k.name);
    expect(names.filter((n) => n === 'PlaygroundAdam')).toHaveLength(2);
    expect(names).not.toContain('Sqrt');
    optimizer.dispose();
    v.dispose();
  });

  it('keeps its moments in getWeights, and is tfjs Adam itself on cpu', async () => {
    const optimizer = fusedAdam(0.05);
    const v = tf.tidy(() => tf.variable(gaussianTensor([4], 2)));
    optimizer.minimize(() => tf.sum(tf.square(v)), false);
    const weights = await optimizer.getWeights();
    expect(weights.map((w) => w.name)).toEqual(['iter', `${v.name}/m`, `${v.name}/v`]);
    optimizer.dispose();
    v.dispose();
    await tf.setBackend('cpu');
    expect(fusedTrainingActive()).toBe(false);
    const stock = await trained(tf.train.adam(0.05), 3);
    const fallback = await trained(fusedAdam(0.05), 3);
    fallback.forEach((f, i) => expect(Array.from(f)).toEqual(Array.from(stock[i]!)));
    await tf.setBackend('wasm');
  });
});
