import * as tf from '@tensorflow/tfjs';
import type { TrainingSpec } from '../../experiment/schema';
import type { EpochRecord } from '../../experiment/measurement';
import type { Dataset } from '../data/types';
import { createRng, shuffledIndices } from '../rng';
import { batchRanges, makeBatch } from './batches';
import type { RunControl } from './control';
import { TrainingDivergedError } from './control';
import { trainingLogits } from './conv-block';
import { evaluate } from './evaluate';
import { mirrorWeights } from '../backends/cpu-mirror';
import { fusedAdam } from './fused-adam';

/** One optimizer step as reported to the UI. */
export interface StepRecord {
  epoch: number;
  /** Step within the whole run, 0-based. */
  step: number;
  totalSteps: number;
  loss: number;
  /** Training accuracy of this batch, 0..1. */
  accuracy: number;
  samplesPerSec: number;
  elapsedMs: number;
}

export type { EpochRecord };

/** Loss of a batch from the model's logits; defaults to softmax cross-entropy. */
export type LossFn = (logits: tf.Tensor, labels: tf.Tensor1D, x: tf.Tensor) => tf.Scalar;

export interface TrainOptions {
  model: tf.LayersModel;
  data: Dataset;
  training: TrainingSpec;
  seed: number;
  control?: RunControl;
  loss?: LossFn;
  onStep?: (record: StepRecord) => void;
  onEpoch?: (record: EpochRecord) => void;
  /** Evaluate on the test split after each epoch (default true). */
  evaluateEachEpoch?: boolean;
  /** Clock in milliseconds (injectable for tests). */
  now?: () => number;
  /** Called before every step with the global step: schedules (pruning, QAT freezes) hook in here. */
  beforeStep?: (step: number, totalSteps: number) => void | Promise<void>;
}

export interface TrainResult {
  steps: number;
  epochs: EpochRecord[];
  finalLoss: number;
  elapsedMs: number;
  samplesPerSec: number;
}

/** Softmax cross-entropy on logits: L = −(1/n) Σ log softmax(zᵢ)[yᵢ]. */
export function crossEntropyLoss(logits: tf.Tensor, labels: tf.Tensor1D): tf.Scalar {
  const numClasses = logits.shape[logits.shape.length - 1]!;
  return tf.losses.softmaxCrossEntropy(tf.oneHot(labels, numClasses), logits) as tf.Scalar;
}

/** Creates the optimizer: Adam(lr) or SGD with momentum μ (plain SGD when μ = 0). */
export function makeOptimizer(training: TrainingSpec): tf.Optimizer {
  if (training.optimizer === 'adam') return fusedAdam(training.learningRate);
  return training.momentum > 0
    ? tf.train.momentum(training.learningRate, training.momentum)
    : tf.train.sgd(training.learningRate);
}

/**
 * The custom training loop every stage uses (teacher, fine-tune, QAT, distillation):
 * per epoch a seeded shuffle, then minibatch steps θ ← opt(θ, ∇θ L(f(x), y)).
 * Same seed and backend → same weights. Throws TrainingDivergedError on a non-finite loss and
 * RunCancelledError when cancelled.
 */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { model, data, training, seed, control } = options;
  const now = options.now ?? (() => performance.now());
  const lossFn = options.loss ?? ((logits, labels) => crossEntropyLoss(logits, labels));
  const optimizer = makeOptimizer(training);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const ranges = batchRanges(data.train.count, training.batchSize);
  const totalSteps = ranges.length * training.epochs;
  const epochs: EpochRecord[] = [];
  const started = now();
  let step = 0;
  let samples = 0;
  let finalLoss = Number.NaN;
  try {
    for (let epoch = 0; epoch < training.epochs; epoch++) {
      const order = shuffledIndices(data.train.count, createRng(seed * 7919 + epoch));
      for (const [start, size] of ranges) {
        await control?.checkpoint();
        await options.beforeStep?.(step, totalSteps);
        const { x, labels } = makeBatch(data.train, data.inputShape, order, start, size);
        const kept: { correct?: tf.Scalar } = {};
        let stats: tf.Tensor;
        try {
          stats = tf.tidy(() => {
            const loss = optimizer.minimize(
              () => {
                const logits = trainingLogits(model, x);
                kept.correct = tf.keep(
                  tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), labels), 'float32')),
                ) as tf.Scalar;
                return lossFn(logits, labels, x);
              },
              true,
              variables,
            );
            return tf.stack([loss ?? tf.scalar(Number.NaN), kept.correct ?? tf.scalar(0)]);
          });
        } finally {
          // A step that throws (a lost GPU device, out of memory) leaves nothing behind either.
          tf.dispose([x, labels, ...(kept.correct ? [kept.correct] : [])]);
        }
        const [loss = Number.NaN, correct = 0] = await stats.data();
        stats.dispose();
        if (!Number.isFinite(loss))
          throw new TrainingDivergedError(epoch, step, training.learningRate);
        finalLoss = loss;
        const elapsedMs = now() - started;
        step++;
        samples += size;
        options.onStep?.({
          epoch,
          step: step - 1,
          totalSteps,
          loss,
          accuracy: correct / size,
          samplesPerSec: elapsedMs > 0 ? (samples * 1000) / elapsedMs : 0,
          elapsedMs,
        });
      }
      if (options.evaluateEachEpoch ?? true) {
        const result = await evaluate(
          (input) => model.predict(input) as tf.Tensor,
          data.test,
          data.inputShape,
          data.numClasses,
        );
        const record = { epoch, testAccuracy: result.accuracy };
        epochs.push(record);
        options.onEpoch?.(record);
      }
    }
  } finally {
    optimizer.dispose();
  }
  const elapsedMs = now() - started;
  // The trained weights on the CPU too, for the synchronous reads of the stages after training.
  await mirrorWeights(model);
  return {
    steps: step,
    epochs,
    finalLoss,
    elapsedMs,
    samplesPerSec: elapsedMs > 0 ? (samples * 1000) / elapsedMs : 0,
  };
}
