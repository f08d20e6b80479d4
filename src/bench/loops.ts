// The two training loops the bench compares (the app's and a bare tfjs one) and the timed runs
// built on them. Backend-agnostic: the worker picks the backend, Vitest runs this on cpu.
import * as tf from '@tensorflow/tfjs';
import type { Dataset } from '../engine/data/types';
import { createRng, shuffledIndices } from '../engine/rng';
import { batchRanges, makeBatch } from '../engine/train/batches';
import { RunCancelledError, RunControl } from '../engine/train/control';
import { trainingLogits } from '../engine/train/conv-block';
import { fusedAdam } from '../engine/train/fused-adam';
import { trainModel } from '../engine/train/loop';
import type { ArchitectureSpec, TrainingSpec } from '../experiment/schema';
import type { TrainUpdate } from '../worker/protocol';
import { ProgressBatcher } from '../worker/throttle';
import type { OverheadResult, ThroughputResult } from './protocol';

/** The reference teacher: conv3×3·16 → pool → conv3×3·32 → pool → dense128 → dense10 (ReLU). */
export const REFERENCE_TEACHER: ArchitectureSpec = {
  kind: 'cnn',
  convs: [
    { filters: 16, kernel: 3 },
    { filters: 32, kernel: 3 },
  ],
  dense: [128],
  activation: 'relu',
};

/** Adam, batch 128, one epoch over whatever examples a run is given. */
export const BENCH_TRAINING: TrainingSpec = {
  optimizer: 'adam',
  learningRate: 0.001,
  momentum: 0.9,
  batchSize: 128,
  epochs: 1,
};

/** The first ⌊count / batch⌋·batch training examples, so every step is a full batch. */
export function firstExamples(data: Dataset, count: number, batchSize: number): Dataset {
  const n = Math.floor(Math.min(count, data.train.count) / batchSize) * batchSize;
  if (n === 0) throw new Error(`need at least one batch of ${batchSize} examples`);
  const features = data.train.x.length / data.train.count;
  const train = {
    x: data.train.x.subarray(0, n * features),
    y: data.train.y.subarray(0, n),
    count: n,
  };
  return { ...data, train };
}

/**
 * The bare tfjs loop over the same batches as {@link trainModel} (its epoch-0 shuffle): per
 * batch θ ← Adam(θ, ∇θ softmaxCE(f(x), y)) and await the loss. Returns the wall time, ms.
 */
export async function bareTrainLoop(
  model: tf.LayersModel,
  data: Dataset,
  training: TrainingSpec,
  seed: number,
): Promise<number> {
  if (training.optimizer !== 'adam') throw new Error('the bare loop is written for Adam');
  const started = performance.now();
  const optimizer = fusedAdam(training.learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const order = shuffledIndices(data.train.count, createRng(seed * 7919));
  for (const [start, size] of batchRanges(data.train.count, training.batchSize)) {
    const { x, labels } = makeBatch(data.train, data.inputShape, order, start, size);
    const loss = optimizer.minimize(
      () =>
        tf.losses.softmaxCrossEntropy(
          tf.oneHot(labels, data.numClasses),
          trainingLogits(model, x),
        ) as tf.Scalar,
      true,
      variables,
    );
    await loss?.data();
    tf.dispose([x, labels]);
    loss?.dispose();
  }
  optimizer.dispose();
  return performance.now() - started;
}

/**
 * The app's loop, as the worker runs it: trainModel with a RunControl, every step through a
 * ProgressBatcher that posts to `send`. Returns the wall time (ms) and the messages posted.
 */
export async function appTrainLoop(
  model: tf.LayersModel,
  data: Dataset,
  training: TrainingSpec,
  seed: number,
  send: (update: TrainUpdate) => void,
): Promise<{ ms: number; messages: number }> {
  let messages = 0;
  const started = performance.now();
  const batcher = new ProgressBatcher((update) => {
    messages++;
    send(update);
  });
  try {
    await trainModel({
      model,
      data,
      training,
      seed,
      control: new RunControl(),
      evaluateEachEpoch: false,
      onStep: (s) => batcher.step(s),
      onEpoch: (e) => batcher.epoch(e),
    });
  } finally {
    batcher.flush();
  }
  return { ms: performance.now() - started, messages };
}

/**
 * Samples/s of the app's loop = timed steps · batch / their wall time, after one untimed warm-up
 * step; stops after `maxSteps` timed steps or once they took `maxMs`.
 */
export async function measureThroughput(
  model: tf.LayersModel,
  data: Dataset,
  training: TrainingSpec,
  seed: number,
  limits: { maxSteps: number; maxMs: number },
  send: (update: TrainUpdate) => void = () => {},
): Promise<ThroughputResult> {
  const run = firstExamples(data, (limits.maxSteps + 1) * training.batchSize, training.batchSize);
  const control = new RunControl();
  const batcher = new ProgressBatcher(send);
  let warmupMs = Number.NaN;
  let lastMs = Number.NaN;
  let steps = 0;
  try {
    await trainModel({
      model,
      data: run,
      training,
      seed,
      control,
      evaluateEachEpoch: false,
      onStep: (s) => {
        batcher.step(s);
        if (s.step === 0) warmupMs = s.elapsedMs;
        else {
          steps = s.step;
          lastMs = s.elapsedMs;
          if (steps >= limits.maxSteps || lastMs - warmupMs >= limits.maxMs) control.cancel();
        }
      },
    });
  } catch (error) {
    if (!(error instanceof RunCancelledError)) throw error;
  } finally {
    batcher.flush();
  }
  if (steps === 0) throw new Error('no step ran after the warm-up step');
  const timedMs = lastMs - warmupMs;
  return { samplesPerSec: (steps * training.batchSize * 1000) / timedMs, steps, timedMs, warmupMs };
}

/** Median: the middle value, or the mean of the two middle values of an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * App loop time / bare loop time over the same `steps` batches from the same initial weights:
 * `pairs` back-to-back pairs, in the order bare·app, app·bare, … so drift cancels;
 * ratio = median over pairs of app/bare (other processes on the machine only add noise).
 */
export async function compareOverhead(
  makeModel: () => tf.LayersModel,
  data: Dataset,
  training: TrainingSpec,
  seed: number,
  options: { steps: number; pairs: number },
  send: (update: TrainUpdate) => void,
): Promise<OverheadResult> {
  const run = firstExamples(data, options.steps * training.batchSize, training.batchSize);
  const tensorsBefore = tf.memory().numTensors;
  const appMs: number[] = [];
  const bareMs: number[] = [];
  let messages = 0;
  const once = async (kind: 'app' | 'bare') => {
    const model = makeModel();
    try {
      if (kind === 'bare') bareMs.push(await bareTrainLoop(model, run, training, seed));
      else {
        const app = await appTrainLoop(model, run, training, seed, send);
        appMs.push(app.ms);
        messages += app.messages;
      }
    } finally {
      model.dispose();
    }
  };
  for (let p = 0; p < options.pairs; p++) {
    const order = p % 2 === 0 ? (['bare', 'app'] as const) : (['app', 'bare'] as const);
    for (const kind of order) await once(kind);
  }
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const pairRatios = appMs.map((a, i) => a / bareMs[i]!);
  return {
    ratio: median(pairRatios),
    pairRatios,
    minRatio: Math.min(...appMs) / Math.min(...bareMs),
    sumRatio: sum(appMs) / sum(bareMs),
    steps: run.train.count / training.batchSize,
    appMs,
    bareMs,
    messages,
    leakedTensors: tf.memory().numTensors - tensorsBefore,
  };
}
