import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../data/types';
import { buildModel } from '../network/build';
import { createRng, gaussian } from '../rng';
import { RunCancelledError, RunControl, TrainingDivergedError } from './control';
import { evaluate } from './evaluate';
import { trainModel } from './loop';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two Gaussian blobs at (±1, ±1): linearly separable. */
function blobs(count: number, seed: number): Dataset['train'] {
  const rng = createRng(seed);
  const x = new Float32Array(count * 2);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const centre = label ? 1 : -1;
    x[2 * i] = centre + 0.3 * gaussian(rng);
    x[2 * i + 1] = centre + 0.3 * gaussian(rng);
    y[i] = label;
  }
  return { x, y, count };
}

const data: Dataset = {
  id: 'blobs',
  inputShape: [2],
  numClasses: 2,
  classNames: ['a', 'b'],
  train: blobs(200, 1),
  validation: blobs(50, 3),
  test: blobs(100, 2),
};
const training = {
  optimizer: 'adam' as const,
  learningRate: 0.05,
  momentum: 0.9,
  batchSize: 20,
  epochs: 3,
};
const spec = { kind: 'mlp' as const, hidden: [8], activation: 'relu' as const };

async function run(seed: number, extra: Partial<Parameters<typeof trainModel>[0]> = {}) {
  const model = buildModel(spec, [2], 2, seed);
  const losses: number[] = [];
  const result = await trainModel({
    model,
    data,
    training,
    seed,
    onStep: (s) => losses.push(s.loss),
    ...extra,
  });
  const weights = model.getWeights().map((w) => Array.from(w.dataSync()));
  const evaluation = await evaluate((x) => model.predict(x) as tf.Tensor, data.test, [2], 2);
  model.dispose();
  return { result, losses, weights, evaluation };
}

describe('trainModel', () => {
  it('lowers the loss on a toy set and classifies it', async () => {
    const { losses, evaluation, result } = await run(5);
    expect(losses).toHaveLength(30);
    const first = losses.slice(0, 3).reduce((a, b) => a + b) / 3;
    const last = losses.slice(-3).reduce((a, b) => a + b) / 3;
    expect(last).toBeLessThan(first * 0.5);
    expect(evaluation.accuracy).toBeGreaterThan(0.95);
    expect(result.epochs).toHaveLength(3);
    expect(evaluation.confusion.reduce((a, b) => a + b)).toBe(100);
  });

  it('is deterministic for a seed and differs across seeds', async () => {
    const a = await run(11);
    const b = await run(11);
    const c = await run(12);
    expect(a.weights).toEqual(b.weights);
    expect(a.losses).toEqual(b.losses);
    expect(a.weights).not.toEqual(c.weights);
  });

  it('leaks no tensors over a whole run', async () => {
    const model = buildModel(spec, [2], 2, 1);
    const before = tf.memory().numTensors;
    await trainModel({ model, data, training, seed: 1 });
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('stops with a clear message when the loss diverges', async () => {
    const model = buildModel(spec, [2], 2, 1);
    const before = tf.memory().numTensors;
    const nanLoss = (logits: tf.Tensor) => tf.mul(tf.sum(logits), Number.NaN) as tf.Scalar;
    await expect(trainModel({ model, data, training, seed: 1, loss: nanLoss })).rejects.toThrow(
      TrainingDivergedError,
    );
    await expect(trainModel({ model, data, training, seed: 1, loss: nanLoss })).rejects.toThrow(
      /lower learning rate \(for example 0\.005/,
    );
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('cancels between steps and pauses until resumed', async () => {
    const control = new RunControl();
    const steps: number[] = [];
    const model = buildModel(spec, [2], 2, 1);
    const promise = trainModel({
      model,
      data,
      training,
      seed: 1,
      control,
      onStep: (s) => {
        steps.push(s.step);
        if (s.step === 4) control.pause();
      },
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(steps).toHaveLength(5);
    expect(control.paused).toBe(true);
    control.cancel();
    await expect(promise).rejects.toThrow(RunCancelledError);
    expect(steps).toHaveLength(5);
    model.dispose();
  });
});
