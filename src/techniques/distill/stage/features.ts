import * as tf from '@tensorflow/tfjs';
import type { DistillParams } from '../spec';
import {
  attentionLoss,
  createHintRegressor,
  distillationLoss,
  hintLoss,
  relationDistanceLoss,
  stopGradient,
} from './losses';
import { createRng, shuffledIndices } from '../../../engine/rng';
import { batchRanges, makeBatch } from '../../../engine/train/batches';
import { TrainingDivergedError } from '../../../engine/train/control';
import { makeOptimizer } from '../../../engine/train/loop';
import { stageTraining } from '../../finetune/stage/finetune';
import type { StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';
import { weightLayerKind } from '../../../engine/network/kernel-layer';

/**
 * Feature-level distillation for the distill stage, on top of the response loss L_KD:
 *  - FitNets hints: β·mean((f_s·W + b − f_t)²) between the last hidden dense layers, with a
 *    regressor W, b trained alongside the student;
 *  - relation (RKD-D): γ·huber(ψ_s − ψ_t) on the distances between the batch's examples in
 *    those same layers (scale-invariant, no regressor);
 *  - attention transfer: AT·‖Q_s/‖Q_s‖ − Q_t/‖Q_t‖‖² between the last conv layers' maps.
 * trainModel only optimises model.trainableWeights; rather than put W into the student (it would
 * then ship with it), trainWithFeatures is a small copy of trainModel's loop (same seeded
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
function hintLayerIndex(model: tf.LayersModel, who: string, what = 'Feature hints'): number {
  const dense = model.layers.flatMap((l, i) => (weightLayerKind(l) === 'dense' ? [i] : []));
  const index = dense[dense.length - 2];
  if (index === undefined) {
    throw new StageError(
      `${what} match the last hidden dense layers, but the ${who} has none: give it a ` +
        `hidden dense layer, or set ${what === 'Feature hints' ? 'the hint weight β' : 'its weight'} to 0.`,
    );
  }
  return index;
}

/** Index in model.layers of the last conv layer, for attention maps. */
function lastConvIndex(model: tf.LayersModel, who: string): number {
  const convs = model.layers.flatMap((l, i) => (weightLayerKind(l) === 'conv' ? [i] : []));
  const index = convs[convs.length - 1];
  if (index === undefined) {
    throw new StageError(
      `Attention transfer matches the last conv layers' feature maps, but the ${who} has no ` +
        'conv layer: use CNNs for both, or set the attention weight to 0.',
    );
  }
  return index;
}

/** What the feature loop adds to L_KD: the hint regressor, and where relations and maps sit. */
export interface FeatureTerms {
  hint: HintRegressor | null;
  /** Last hidden dense layers of student and teacher (RKD distances between examples). */
  relation: { studentLayer: number; teacherLayer: number } | null;
  /** Last conv layers of student and teacher (attention maps). */
  attention: { studentLayer: number; teacherLayer: number } | null;
}

/**
 * The feature terms of `params`, checked against both models: a StageError names what does not
 * fit (no hidden dense layer, no conv layer, maps of different sizes, fewer than 2 examples).
 */
export function featureTermsFor(
  student: tf.LayersModel,
  teacher: tf.LayersModel,
  params: DistillParams,
  seed: number,
  trainCount: number,
): FeatureTerms {
  let relation: FeatureTerms['relation'] = null;
  let attention: FeatureTerms['attention'] = null;
  if (params.relationWeight > 0) {
    if (trainCount < 2) {
      throw new StageError(
        'Relation distillation compares the distances between examples of a batch, so it needs ' +
          `at least 2 training examples (there are ${trainCount}): add examples or set γ to 0.`,
      );
    }
    const what = 'Relation distillation';
    relation = {
      studentLayer: hintLayerIndex(student, 'student', what),
      teacherLayer: hintLayerIndex(teacher, 'teacher', what),
    };
  }
  if (params.attentionWeight > 0) {
    attention = {
      studentLayer: lastConvIndex(student, 'student'),
      teacherLayer: lastConvIndex(teacher, 'teacher'),
    };
    const side = (m: tf.LayersModel, i: number) =>
      (m.layers[i]!.outputShape as number[]).slice(1, 3);
    const s = side(student, attention.studentLayer);
    const t = side(teacher, attention.teacherLayer);
    if (s[0] !== t[0] || s[1] !== t[1]) {
      throw new StageError(
        `Attention transfer compares the last conv layers' maps position by position, but the ` +
          `student's are ${s.join('×')} and the teacher's ${t.join('×')}: give the student the ` +
          "teacher's conv kernel sizes (filters may differ), or set the attention weight to 0.",
      );
    }
  }
  const hint = params.hintWeight > 0 ? createRegressorFor(student, teacher, seed) : null;
  return { hint, relation, attention };
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

/** Sequential forward pass that also returns the outputs of the layers in `wanted`. */
function forwardWithFeatures(
  model: tf.LayersModel,
  x: tf.Tensor,
  wanted: readonly number[],
  training: boolean,
) {
  let h = x;
  const features = new Map<number, tf.Tensor>();
  model.layers.forEach((layer, i) => {
    h = layer.apply(h, { training }) as tf.Tensor;
    if (wanted.includes(i)) features.set(i, h);
  });
  return { features, logits: h as tf.Tensor2D };
}

/** β·hint + γ·relation + AT·attention of one batch (relations skip a batch of one example). */
function featureLoss(
  terms: FeatureTerms,
  params: DistillParams,
  s: ReturnType<typeof forwardWithFeatures>,
  t: ReturnType<typeof forwardWithFeatures>,
): tf.Scalar {
  let total: tf.Scalar = tf.scalar(0);
  const at = (f: Map<number, tf.Tensor>, i: number) => f.get(i)!;
  if (terms.hint) {
    const { weight, bias, studentLayer, teacherLayer } = terms.hint;
    const hint = hintLoss(
      at(s.features, studentLayer),
      at(t.features, teacherLayer),
      weight,
      params.hintWeight,
      bias,
    );
    total = tf.add(total, hint);
  }
  if (terms.relation && s.logits.shape[0]! >= 2) {
    const { studentLayer, teacherLayer } = terms.relation;
    const rkd = relationDistanceLoss(
      at(s.features, studentLayer),
      at(t.features, teacherLayer),
      params.relationWeight,
    );
    total = tf.add(total, rkd);
  }
  if (terms.attention) {
    const { studentLayer, teacherLayer } = terms.attention;
    const loss = attentionLoss(
      at(s.features, studentLayer),
      at(t.features, teacherLayer),
      params.attentionWeight,
    );
    total = tf.add(total, loss);
  }
  return total;
}

/** The feature-term variables to free after training (the hint regressor). */
export function disposeFeatureTerms(terms: FeatureTerms | null): void {
  if (terms?.hint) tf.dispose([terms.hint.weight, terms.hint.bias]);
}

/** Minibatch loop of trainModel on L_KD + the feature terms, optimising the student and W, b. */
export async function trainWithFeatures(
  ctx: StageContext,
  student: tf.LayersModel,
  params: DistillParams,
  terms: FeatureTerms,
): Promise<void> {
  const { data, seed, control } = ctx;
  const training = stageTraining(params.epochs, params.learningRate, data.inputShape);
  const settings = { temperature: params.temperature, alpha: params.alpha };
  const optimizer = makeOptimizer(training);
  const variables = [
    ...student.trainableWeights.map((w) => w.read() as tf.Variable),
    ...(terms.hint ? [terms.hint.weight, terms.hint.bias] : []),
  ];
  const studentLayers = [
    terms.hint?.studentLayer,
    terms.relation?.studentLayer,
    terms.attention?.studentLayer,
  ].filter((i): i is number => i !== undefined);
  const teacherLayers = [
    terms.hint?.teacherLayer,
    terms.relation?.teacherLayer,
    terms.attention?.teacherLayer,
  ].filter((i): i is number => i !== undefined);
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
        let stats: tf.Tensor;
        try {
          stats = tf.tidy(() => {
            const loss = optimizer.minimize(
              () => {
                const s = forwardWithFeatures(student, x, studentLayers, true);
                const t = forwardWithFeatures(ctx.teacher, x, teacherLayers, false);
                const hits = tf.cast(tf.equal(tf.argMax(s.logits, -1), labels), 'float32');
                kept.correct = tf.keep(tf.sum(hits));
                const kd = distillationLoss(s.logits, stopGradient(t.logits), labels, settings);
                return tf.add(kd, featureLoss(terms, params, s, t));
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
        const [loss = Number.NaN, hits = 0] = await stats.data();
        stats.dispose();
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
