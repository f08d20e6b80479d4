import * as tf from '@tensorflow/tfjs';
import type { DistillParams } from '../spec';
import { distillSummary, usesFeatures } from '../spec';
import { distillationLoss, stopGradient, validateDistillationParams } from './losses';
import type { FeatureTerms } from './features';
import { disposeFeatureTerms, featureTermsFor, trainWithFeatures } from './features';
import { DEFAULT_TEMPERATURES, temperatureSweep } from '../temperature';
import type { TemperaturePoint } from '../temperature';
import type { LossFn } from '../../../engine/train/loop';
import { trainModel } from '../../../engine/train/loop';
import { checkTrainableInput, retrainedCosts, stageTraining } from '../../finetune/stage/finetune';
import { cloneModel } from '../../../engine/network/handle';
import { extractLayers } from '../../../engine/network/layer-ir';
import { layerMacs } from '../../../engine/network/layers';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/**
 * The distill stage: trains (a copy of) the student on L = α·T²·KL(p_t^T ‖ p_s^T) + (1 − α)·CE,
 * plus β·hint when β > 0. The teacher only runs forward (its logits pass through stopGradient and
 * its variables are never given to the optimizer), so it stays bit-identical.
 *
 * Without a hint the stage uses trainModel with a custom loss; with a hint it uses trainWithHint
 * (distill-hint.ts), which also optimises the hint regressor.
 */

/** Loss of trainModel for distillation: distillationLoss(s, stopGradient(teacher(x)), y; T, α). */
export function distillLoss(teacher: tf.LayersModel, params: DistillParams): LossFn {
  const settings = { temperature: params.temperature, alpha: params.alpha };
  return (logits, labels, x) => {
    const teacherLogits = stopGradient(teacher.predict(x) as tf.Tensor2D);
    return distillationLoss(logits as tf.Tensor2D, teacherLogits, labels, settings);
  };
}

/** Trains `student` in place by distillation from ctx.teacher (with the feature terms, if any). */
export async function trainDistilled(
  ctx: StageContext,
  student: tf.LayersModel,
  params: DistillParams,
  terms: FeatureTerms | null,
): Promise<void> {
  if (params.epochs === 0) return;
  if (terms) return trainWithFeatures(ctx, student, params, terms);
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
  if (studentMacs >= teacherMacs) return ['the student is not smaller than the teacher'];
  const ratio = (teacherMacs / Math.max(studentMacs, 1)).toFixed(1);
  return [`the student needs ${ratio}× fewer MACs than the teacher`];
}

/** Runs the distill stage on a copy of the input (normally a fresh student). */
export async function runDistill(
  ctx: StageContext,
  input: ModelHandle,
  params: DistillParams,
): Promise<ModelHandle> {
  checkDistill(ctx, input, params);
  const model = await cloneModel(input.model);
  let terms: FeatureTerms | null = null;
  try {
    if (usesFeatures(params)) {
      terms = featureTermsFor(model, ctx.teacher, params, ctx.seed, ctx.data.train.count);
    }
    await trainDistilled(ctx, model, params, terms);
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    disposeFeatureTerms(terms);
  }
  const costs = retrainedCosts(input, model, ctx.data.inputShape);
  const notes = [...input.notes, ...sizeNote(ctx.teacher, costs.macs, ctx.data.inputShape)];
  if (params.alpha === 0) notes.push('α = 0: the teacher was ignored (plain training)');
  if (params.relationWeight > 0) {
    notes.push(
      `relation distillation γ=${params.relationWeight}: distances between the examples of each batch in the last hidden layer`,
    );
  }
  if (params.attentionWeight > 0) {
    notes.push(`attention transfer ×${params.attentionWeight} between the last conv feature maps`);
  }
  return { model, ...costs, notes, label: distillSummary(params) };
}

/** The stage's run, loaded by the technique spec. */
export const run = runDistill;

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
