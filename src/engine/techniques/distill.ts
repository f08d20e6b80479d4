import * as tf from '@tensorflow/tfjs';
import type { DistillParams, FinetuneParams } from '../../experiment/stages';
import {
  createHintRegressor,
  distillationLoss,
  hintLoss,
  stopGradient,
  validateDistillationParams,
} from '../distill/losses';
import { DEFAULT_TEMPERATURES, temperatureSweep } from '../distill/temperature';
import type { TemperaturePoint } from '../distill/temperature';
import { createRng, shuffledIndices } from '../rng';
import { batchRanges, makeBatch } from '../train/batches';
import { TrainingDivergedError } from '../train/control';
import type { LossFn } from '../train/loop';
import { makeOptimizer, trainModel } from '../train/loop';
import { checkTrainableInput, retrainedCosts, stageTraining } from './finetune';
import { cloneModel } from './handle';
import { extractLayers, layerMacs } from './plain';
import type { ModelHandle, StageContext, Technique } from './types';
import { StageError } from './types';

/**
 * The distill stage: trains (a copy of) the student on L = α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·CE,
 * plus β·hint when β > 0. The teacher only runs forward (its logits pass through stopGradient and
 * its variables are never given to the optimizer), so it stays bit-identical.
 *
 * Without a hint the stage uses trainModel with a custom loss. With a hint the regressor W, b must
 * be optimised too, and trainModel only optimises model.trainableWeights; rather than sneak W into
 * the student (it would ship with it), trainWithHint below is a small copy of trainModel's loop
 * (same seeded shuffles, batches, optimizer, checkpoints, StepRecords, divergence check) that
 * optimises student weights + W + b.
 */

const DENSE = new Set(['Dense', 'MaskedDense', 'FakeQuantDense']);

/** The FitNets regressor f_s·W + b ≈ f_t between the two hint layers, and where they sit. */
export interface HintRegressor {
  weight: tf.Variable<tf.Rank.R2>;
  bias: tf.Variable<tf.Rank.R1>;
  studentLayer: number;
  teacherLayer: number;
}

/** The finetune params giving the same run without the teacher (same epochs, lr, seed, batches). */
export function baselineFinetuneParams(params: DistillParams): FinetuneParams {
  return { epochs: params.epochs, learningRate: params.learningRate };
}

/** Loss of trainModel for distillation: distillationLoss(s, stopGradient(teacher(x)), y; T, α). */
export function distillLoss(teacher: tf.LayersModel, params: DistillParams): LossFn {
  const settings = { temperature: params.temperature, alpha: params.alpha };
  return (logits, labels, x) => {
    const teacherLogits = stopGradient(teacher.predict(x) as tf.Tensor2D);
    return distillationLoss(logits as tf.Tensor2D, teacherLogits, labels, settings);
  };
}

/** Index in model.layers of the last hidden dense layer (the dense layer before the logits). */
function hintLayerIndex(model: tf.LayersModel, who: string): number {
  const dense = model.layers.flatMap((l, i) => (DENSE.has(l.getClassName()) ? [i] : []));
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
    bias: tf.variable(tf.zeros([teacherUnits]), true),
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
async function trainWithHint(
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

/** Trains `student` in place by distillation from ctx.teacher (with `regressor` when β > 0). */
export async function trainDistilled(
  ctx: StageContext,
  student: tf.LayersModel,
  params: DistillParams,
  regressor: HintRegressor | null,
): Promise<void> {
  if (params.epochs === 0) return;
  if (regressor) return trainWithHint(ctx, student, params, regressor);
  await trainModel({
    model: student,
    data: ctx.data,
    training: stageTraining(params.epochs, params.learningRate, ctx.data.inputShape),
    seed: ctx.seed,
    control: ctx.control,
    loss: distillLoss(ctx.teacher, params),
    onStep: ctx.onStep,
    evaluateEachEpoch: false,
  });
}

function checkDistill(ctx: StageContext, input: ModelHandle, params: DistillParams): void {
  checkTrainableInput(input, 'Distillation');
  try {
    validateDistillationParams(params);
  } catch (error) {
    throw new StageError(error instanceof Error ? error.message : String(error));
  }
  const classes = (m: tf.LayersModel) => String(m.outputs[0]?.shape.slice(1));
  if (classes(ctx.teacher) !== classes(input.model)) {
    throw new StageError(
      `The student outputs [${classes(input.model)}] but the teacher [${classes(ctx.teacher)}]: ` +
        'both must end in one logit per class of the same data set.',
    );
  }
}

/** Plain-language note comparing the student's MACs with the teacher's. */
function sizeNote(teacher: tf.LayersModel, studentMacs: number, inputShape: number[]): string[] {
  let teacherMacs: number;
  try {
    teacherMacs = layerMacs(extractLayers(teacher), inputShape).macs;
  } catch {
    return [];
  }
  if (studentMacs >= teacherMacs)
    return ['the student is not smaller than the teacher: no speedup'];
  const ratio = (teacherMacs / Math.max(studentMacs, 1)).toFixed(1);
  return [`speedup is real: the student needs ${ratio}× fewer MACs than the teacher`];
}

/** Runs the distill stage on a copy of the input (normally a fresh student). */
export async function runDistill(
  ctx: StageContext,
  input: ModelHandle,
  params: DistillParams,
): Promise<ModelHandle> {
  checkDistill(ctx, input, params);
  const model = await cloneModel(input.model);
  let regressor: HintRegressor | null = null;
  try {
    if (params.hintWeight > 0) regressor = createRegressorFor(model, ctx.teacher, ctx.seed);
    await trainDistilled(ctx, model, params, regressor);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    if (regressor) tf.dispose([regressor.weight, regressor.bias]);
  }
  const costs = retrainedCosts(input, model, ctx.data.inputShape);
  const notes = [...input.notes, ...sizeNote(ctx.teacher, costs.macs, ctx.data.inputShape)];
  if (params.alpha === 0) notes.push('α = 0: the teacher was ignored (plain training)');
  const hint = params.hintWeight > 0 ? ` β=${params.hintWeight}` : '';
  return {
    model,
    ...costs,
    notes,
    label: `distill T=${params.temperature} α=${params.alpha}${hint}`,
  };
}

export const distillTechnique: Technique<DistillParams> = {
  id: 'distill',
  label: 'Distill',
  run: runDistill,
};

/** The temperature explorer's data: softmax(z/T) and entropy of one example at each T. */
export interface TemperatureExplorerData {
  temperatures: number[];
  teacherLogits: number[];
  teacher: TemperaturePoint[];
  studentLogits: number[] | null;
  student: TemperaturePoint[] | null;
}

async function logitsOf(model: tf.LayersModel, x: tf.Tensor): Promise<number[]> {
  const out = tf.tidy(() => model.predict(x) as tf.Tensor);
  const values = Array.from(await out.data());
  out.dispose();
  return values;
}

/** softmax(z/T) of one example x (shape inputShape) for the teacher and student, T in `temps`. */
export async function temperatureExplorer(
  teacher: tf.LayersModel,
  student: tf.LayersModel | null,
  x: Float32Array,
  inputShape: readonly number[],
  temps: readonly number[] = DEFAULT_TEMPERATURES,
): Promise<TemperatureExplorerData> {
  const size = inputShape.reduce((a, b) => a * b, 1);
  if (x.length !== size) {
    throw new RangeError(
      `One example of shape [${inputShape}] has ${size} values, got ${x.length}.`,
    );
  }
  const input = tf.tensor(x, [1, ...inputShape]);
  try {
    const teacherLogits = await logitsOf(teacher, input);
    const studentLogits = student ? await logitsOf(student, input) : null;
    return {
      temperatures: [...temps],
      teacherLogits,
      teacher: temperatureSweep(teacherLogits, temps),
      studentLogits,
      student: studentLogits ? temperatureSweep(studentLogits, temps) : null,
    };
  } finally {
    input.dispose();
  }
}
