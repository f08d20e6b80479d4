import * as tf from '@tensorflow/tfjs';
import type { DistillParams } from '../spec';
import { createHintRegressor, distillationLoss, hintLoss, stopGradient } from './losses';
import { createRng, shuffledIndices } from '../../../engine/rng';
import { batchRanges, makeBatch } from '../../../engine/train/batches';
import { TrainingDivergedError } from '../../../engine/train/control';
import { makeOptimizer } from '../../../engine/train/loop';
import { stageTraining } from '../../finetune/stage/finetune';
import type { StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';
import { weightLayerKind } from '../../../engine/network/kernel-layer';

/**
 * FitNets feature hints for the distill stage. The regressor W, b must be optimised with the
 * student, but trainModel only optimises model.trainableWeights; rather than put W into the student
 * (it would then ship with it), trainWithHint is a small copy of trainModel's loop (same seeded
 * shuffles, batches, optimizer, checkpoints, StepRecords, divergence check) that optimises the
 * student's weights + W + b. The teacher runs forward only, in inference mode.
 */

/** The FitNets regressor f_s·W + b ≈ f_t between the two hint layers, and where they sit. */
export interface HintRegressor {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  studentLayer: number;
  teacherLayer: number;
}

/** Index in model.layers of the last hidden dense layer (the dense layer before the logits). */
function hintLayerIndex(model: tf.LayersModel, who: string): number {
  const dense = model.layers.flatMap((l, i) => (weightLayerKind(l) === 'dense' ? [i] : []));
  const index = dense[dense.length - 2];
  if (index === undefined) {
    throw new StageError(
      `Feature hints match the last hidden dense layers, but the ${who} has none: give it a ` +
        'hidden dense layer, or set the hint weight β to 0.',
    );
  }
  return index;
}

/** Creates the regressor [student units × teacher units] (Glorot from the seed, bias 0). */
export function createRegressorFor(
  student: tf.LayersModel,
  teacher: tf.LayersModel,
  seed: number,
): HintRegressor {
  const studentLayer = hintLayerIndex(student, 'student');
  const teacherLayer = hintLayerIndex(teacher, 'teacher');
  const units = (m: tf.LayersModel, i: number) => (m.layers[i]!.outputShape as number[])[1]!;
  const teacherUnits = units(teacher, teacherLayer);
  return {
    weight: createHintRegressor(units(student, studentLayer), teacherUnits, seed),
    bias: tf.tidy(() => tf.variable(tf.zeros([teacherUnits]), true)) as tf.Variable<tf.Rank.R1>,
    studentLayer,
    teacherLayer,
  };
}

/** Sequential forward pass that also returns the output of layer `featureLayer`. */
function forwardWithFeature(
  model: tf.LayersModel,
  x: tf.Tensor,
  featureLayer: number,
  training: boolean,
) {
  let h = x;
  let feature = x;
  model.layers.forEach((layer, i) => {
    h = layer.apply(h, { training }) as tf.Tensor;
    if (i === featureLayer) feature = h;
  });
  return { feature, logits: h as tf.Tensor2D };
}

/** Minibatch loop of trainModel on L_KD + β·hintLoss, optimising the student and W, b. */
export async function trainWithHint(
  ctx: StageContext,
  student: tf.LayersModel,
  params: DistillParams,
  regressor: HintRegressor,
): Promise<void> {
  const { data, seed, control } = ctx;
  const training = stageTraining(params.epochs, params.learningRate, data.inputShape);
  const settings = { temperature: params.temperature, alpha: params.alpha };
  const optimizer = makeOptimizer(training);
  const variables = [
    ...student.trainableWeights.map((w) => w.read() as tf.Variable),
    regressor.weight,
    regressor.bias,
  ];
  const ranges = batchRanges(data.train.count, training.batchSize);
  const totalSteps = ranges.length * training.epochs;
  const started = performance.now();
  let step = 0;
  let samples = 0;
  try {
    for (let epoch = 0; epoch < training.epochs; epoch++) {
      const order = shuffledIndices(data.train.count, createRng(seed * 7919 + epoch));
      for (const [start, size] of ranges) {
        await control.checkpoint();
        const { x, labels } = makeBatch(data.train, data.inputShape, order, start, size);
        const kept: { correct?: tf.Tensor } = {};
        const stats = tf.tidy(() => {
          const loss = optimizer.minimize(
            () => {
              const s = forwardWithFeature(student, x, regressor.studentLayer, true);
              const t = forwardWithFeature(ctx.teacher, x, regressor.teacherLayer, false);
              const hits = tf.cast(tf.equal(tf.argMax(s.logits, -1), labels), 'float32');
              kept.correct = tf.keep(tf.sum(hits));
              const kd = distillationLoss(s.logits, stopGradient(t.logits), labels, settings);
              const { weight, bias } = regressor;
              return tf.add(kd, hintLoss(s.feature, t.feature, weight, params.hintWeight, bias));
            },
            true,
            variables,
          );
          return tf.stack([loss ?? tf.scalar(Number.NaN), kept.correct ?? tf.scalar(0)]);
        });
        const [loss = Number.NaN, hits = 0] = await stats.data();
        tf.dispose([x, labels, stats, ...(kept.correct ? [kept.correct] : [])]);
        if (!Number.isFinite(loss))
          throw new TrainingDivergedError(epoch, step, params.learningRate);
        samples += size;
        const elapsedMs = performance.now() - started;
        ctx.onStep({
          epoch,
          step: step++,
          totalSteps,
          loss,
          accuracy: hits / size,
          samplesPerSec: elapsedMs > 0 ? (samples * 1000) / elapsedMs : 0,
          elapsedMs,
        });
      }
    }
  } finally {
    optimizer.dispose();
  }
}
