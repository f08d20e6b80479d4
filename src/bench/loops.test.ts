import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticDataset } from '../engine/data/synthetic';
import { buildModel } from '../engine/network/build';
import type { TrainingSpec } from '../experiment/schema';
import type { TrainUpdate } from '../worker/protocol';
import {
  appTrainLoop,
  bareTrainLoop,
  compareOverhead,
  firstExamples,
  measureThroughput,
  median,
  REFERENCE_TEACHER,
} from './loops';

const training: TrainingSpec = {
  optimizer: 'adam',
  learningRate: 0.01,
  momentum: 0.9,
  batchSize: 16,
  epochs: 1,
};
const data = makeSyntheticDataset({ id: 'spiral', trainSize: 100, testSize: 20, noise: 0.1 }, 3);
const tinyModel = () => buildModel({ kind: 'mlp', hidden: [8], activation: 'relu' }, [2], 3, 5);

function weightsOf(model: tf.LayersModel): number[] {
  return model.getWeights().flatMap((w) => Array.from(w.dataSync()));
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('firstExamples', () => {
  it('keeps whole batches only: ⌊75 / 16⌋·16 = 64 examples', () => {
    const cut = firstExamples(data, 75, 16);
    expect(cut.train.count).toBe(64);
    expect(cut.train.y.length).toBe(64);
    expect(cut.train.x.length).toBe(128);
    expect(Array.from(cut.train.x.subarray(0, 4))).toEqual(Array.from(data.train.x.subarray(0, 4)));
    expect(() => firstExamples(data, 10, 16)).toThrow(/one batch/);
  });
});

describe('bare and app loops', () => {
  it('train the same weights from the same init and batches (a fair comparison)', async () => {
    const run = firstExamples(data, 64, 16);
    const before = tf.memory().numTensors;
    const bare = tinyModel();
    const app = tinyModel();
    const initial = weightsOf(bare);
    const updates: TrainUpdate[] = [];
    await bareTrainLoop(bare, run, training, 11);
    const result = await appTrainLoop(app, run, training, 11, (u) => updates.push(u));
    const a = weightsOf(bare);
    const b = weightsOf(app);
    expect(a).not.toEqual(initial);
    a.forEach((v, i) => expect(Math.abs(v - (b[i] ?? NaN))).toBeLessThan(1e-6));
    expect(result.messages).toBe(updates.length);
    expect(updates.flatMap((u) => u.steps)).toHaveLength(4);
    bare.dispose();
    app.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('compares in bare/app/app/bare order with a ratio of the sums and no leaks', async () => {
    let posted = 0;
    const result = await compareOverhead(
      tinyModel,
      data,
      training,
      2,
      { steps: 3, pairs: 2 },
      () => posted++,
    );
    expect(result.steps).toBe(3);
    expect(result.appMs).toHaveLength(2);
    expect(result.bareMs).toHaveLength(2);
    const sum = (xs: number[]) => xs.reduce((s, x) => s + x, 0);
    expect(result.sumRatio).toBeCloseTo(sum(result.appMs) / sum(result.bareMs), 10);
    const pairs = result.appMs.map((a, i) => a / (result.bareMs[i] ?? NaN));
    expect(result.pairRatios).toEqual(pairs);
    expect(result.ratio).toBeCloseTo(((pairs[0] ?? NaN) + (pairs[1] ?? NaN)) / 2, 10);
    expect(result.messages).toBe(posted);
    expect(result.messages).toBeGreaterThanOrEqual(2);
    expect(result.leakedTensors).toBe(0);
  });
});

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow();
  });
});

describe('measureThroughput', () => {
  it('times maxSteps steps after the warm-up step', async () => {
    const model = tinyModel();
    const result = await measureThroughput(model, data, training, 1, { maxSteps: 3, maxMs: 1e9 });
    expect(result.steps).toBe(3);
    expect(result.timedMs).toBeGreaterThan(0);
    expect(result.samplesPerSec).toBeCloseTo((3 * 16 * 1000) / result.timedMs, 6);
    model.dispose();
  });

  it('stops after one timed step once the time budget is spent', async () => {
    const model = tinyModel();
    const result = await measureThroughput(model, data, training, 1, { maxSteps: 5, maxMs: 0 });
    expect(result.steps).toBe(1);
    model.dispose();
  });
});

describe('reference teacher', () => {
  it('has 160 + 4,640 + 102,528 + 1,290 = 108,618 weights and 10 logits', () => {
    const model = buildModel(REFERENCE_TEACHER, [28, 28, 1], 10, 1);
    expect(model.countParams()).toBe(108_618);
    expect(model.outputs[0]?.shape).toEqual([null, 10]);
    model.dispose();
  });
});
