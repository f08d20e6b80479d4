import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../experiment/schema';
import type { DistillParams } from '../spec';
import { distillParams, distillSpec } from '../spec';
import { finetuneParams } from '../../finetune/spec';
import type { Dataset } from '../../../engine/data/types';
import { buildModel } from '../../../engine/network/build';
import { evaluate } from '../../../engine/train/evaluate';
import { createRegressorFor } from './features';
import { distillLoss, runDistill, temperatureExplorer, trainDistilled } from './distill';
import { runFinetune } from '../../finetune/stage/finetune';
import { handleFromModel } from '../../../engine/network/handle';
import {
  MLP,
  blobs,
  testContext,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

const STUDENT: ArchitectureSpec = { kind: 'mlp', hidden: [4], activation: 'relu' };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeAll(...models: tf.LayersModel[]): void {
  for (const model of models) model.dispose();
}

function params(overrides: Partial<DistillParams> = {}): DistillParams {
  return distillParams.parse({ epochs: 5, learningRate: 0.02, ...overrides });
}

function freshStudent(data: Dataset, spec = STUDENT, seed = 21): ModelHandle {
  const model = buildModel(spec, data.inputShape, data.numClasses, seed);
  return handleFromModel(model, spec, data.inputShape, data.numClasses, 'student');
}

async function accuracy(model: tf.LayersModel, data: Dataset): Promise<number> {
  const predict = (x: tf.Tensor) => model.predict(x) as tf.Tensor;
  return (await evaluate(predict, data.test, data.inputShape, data.numClasses)).accuracy;
}

describe('distill stage', () => {
  it('trains a small student well above chance; teacher and input stay bit-identical', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const student = freshStudent(data);
    const teacherBefore = weightValues(teacher.model);
    const studentBefore = weightValues(student.model);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const out = await runDistill(ctx, student, params());

    expect(await accuracy(out.model, data)).toBeGreaterThan(0.85); // chance is 1/3
    expect(weightValues(teacher.model)).toEqual(teacherBefore);
    expect(weightValues(student.model)).toEqual(studentBefore);
    expect(ctx.steps).toHaveLength(5 * 6);
    expect(ctx.steps.at(-1)!.loss).toBeLessThan(ctx.steps[0]!.loss);
    // Student [2]→4→3: 2·4 + 4 + 4·3 + 3 = 27 weights; MACs 8 + 12 = 20 vs the teacher's 184.
    expect(out.storage.map((s) => s.shape)).toEqual([[2, 4], [4], [4, 3], [3]]);
    expect(out.macs).toBe(20);
    expect(out.notes).toContain('the student needs 9.2× fewer MACs than the teacher');
    expect(out.label).toBe('distill T=4 α=0.7');
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    disposeAll(teacher.model, student.model);
  });

  it('gives the teacher no gradient: its logits are constants of the loss', async () => {
    const data = blobs(32, 8);
    const teacher = buildModel(MLP, data.inputShape, data.numClasses, 1);
    const student = buildModel(STUDENT, data.inputShape, data.numClasses, 2);
    const x = tf.tensor2d(data.train.x.slice(0, 16), [8, 2]);
    const labels = tf.tensor1d(Array.from(data.train.y.slice(0, 8)), 'int32');
    const loss = distillLoss(teacher, params());
    const studentVars = student.trainableWeights.map((w) => w.read() as tf.Variable);
    const teacherVars = teacher.trainableWeights.map((w) => w.read() as tf.Variable);
    const tensors = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(
      () => loss(student.apply(x) as tf.Tensor, labels, x),
      [...studentVars, ...teacherVars],
    );
    for (const v of studentVars) {
      expect(Math.max(...Array.from(grads[v.name]!.dataSync(), Math.abs))).toBeGreaterThan(0);
    }
    for (const v of teacherVars) {
      const g = grads[v.name];
      if (g) expect(Array.from(g.dataSync()).every((d) => d === 0)).toBe(true);
    }
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([x, labels]);
    disposeAll(teacher, student);
  });

  it('baseline params give the identical run: distill with α = 0 equals finetune', async () => {
    const p = params({ epochs: 2, learningRate: 0.01, alpha: 0 });
    // The baseline the app really runs: the spec's, as expandVariants adds it.
    const baseline = distillSpec.baseline!(p);
    expect(baseline).toEqual({ technique: 'finetune', params: { epochs: 2, learningRate: 0.01 } });
    const aloneParams = finetuneParams.parse(baseline!.params);
    expect(distillSpec.baseline!({ ...p, baseline: false })).toBeNull();

    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const student = freshStudent(data);
    const ctx = testContext(data, teacher.model);
    const distilled = await runDistill(ctx, student, p);
    const alone = await runFinetune(ctx, student, aloneParams);
    expect(distilled.notes).toContain('α = 0: the teacher was ignored (plain training)');
    const a = weightValues(distilled.model);
    const b = weightValues(alone.model);
    expect(weightValues(student.model)).not.toEqual(a);
    a.forEach((w, i) => w.forEach((v, j) => expect(v).toBeCloseTo(b[i]![j]!, 4)));
    disposeAll(distilled.model, alone.model, teacher.model, student.model);
  });

  it('with a feature hint trains the regressor too and leaves the teacher alone', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const student = buildModel(STUDENT, data.inputShape, data.numClasses, 21);
    const teacherBefore = weightValues(teacher.model);
    const studentBefore = weightValues(student);
    const tensors = tf.memory().numTensors;
    const regressor = createRegressorFor(student, teacher.model, 5);
    // The hint layers: the student's dense1 (4 units) and the teacher's dense2 (8 units).
    expect(regressor.weight.shape).toEqual([4, 8]);
    expect([regressor.studentLayer, regressor.teacherLayer]).toEqual([0, 1]);
    const wBefore = Array.from(regressor.weight.dataSync());
    const ctx = testContext(data, teacher.model);
    await trainDistilled(ctx, student, params({ hintWeight: 1, epochs: 2 }), {
      hint: regressor,
      relation: null,
      attention: null,
    });

    expect(Array.from(regressor.weight.dataSync())).not.toEqual(wBefore);
    expect(Math.max(...Array.from(regressor.bias.dataSync(), Math.abs))).toBeGreaterThan(0);
    expect(weightValues(student)).not.toEqual(studentBefore);
    expect(weightValues(teacher.model)).toEqual(teacherBefore);
    expect(ctx.steps).toHaveLength(2 * 6);
    expect(ctx.steps.every((s) => Number.isFinite(s.loss) && s.accuracy >= 0)).toBe(true);
    tf.dispose([regressor.weight, regressor.bias]);
    expect(tf.memory().numTensors).toBe(tensors);
    disposeAll(teacher.model, student);
  });

  it('runs end to end with a hint, without leaks; a student without hidden layers is refused', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const student = freshStudent(data);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const out = await runDistill(ctx, student, params({ hintWeight: 0.5 }));
    expect(await accuracy(out.model, data)).toBeGreaterThan(0.85);
    expect(out.label).toBe('distill T=4 α=0.7 β=0.5');
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);

    const flat = freshStudent(data, { kind: 'mlp', hidden: [], activation: 'relu' });
    const run = runDistill(ctx, flat, params({ hintWeight: 1 }));
    await expect(run).rejects.toThrow(StageError);
    await expect(run).rejects.toThrow(/student has none/);
    expect(tf.memory().numTensors).toBe(tensors + 2); // only the flat student's kernel and bias
    disposeAll(teacher.model, student.model, flat.model);
  });

  it('refuses a student whose classes differ from the teacher', async () => {
    const data = blobs(64, 32);
    const teacher = buildModel(MLP, data.inputShape, data.numClasses, 1);
    const wrong = buildModel(STUDENT, data.inputShape, 5, 2);
    const input = handleFromModel(wrong, STUDENT, data.inputShape, 5, 'student');
    const run = runDistill(testContext(data, teacher), input, params());
    await expect(run).rejects.toThrow(/one logit per class/);
    disposeAll(teacher, wrong);
  });
});

describe('temperatureExplorer', () => {
  it('gives softmax(z/T) of one example for T = 1…20, flatter as T grows', async () => {
    const data = blobs(64, 32);
    const teacher = await trainedTeacher(MLP, data);
    const student = buildModel(STUDENT, data.inputShape, data.numClasses, 2);
    const x = data.test.x.slice(0, 2);
    const tensors = tf.memory().numTensors;
    const view = await temperatureExplorer(teacher.model, student, x, data.inputShape);
    expect(tf.memory().numTensors).toBe(tensors);

    expect(view.temperatures).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    const logits = tf.tidy(() => teacher.model.predict(tf.tensor2d(x, [1, 2])) as tf.Tensor);
    const z = Array.from(logits.dataSync());
    logits.dispose();
    z.forEach((v, i) => expect(view.teacherLogits[i]).toBeCloseTo(v, 5));
    const e = z.map((v) => Math.exp(v - Math.max(...z)));
    const p1 = view.teacher[0]!.probabilities;
    e.forEach((v, i) => expect(p1[i]).toBeCloseTo(v / e.reduce((a, b) => a + b, 0), 6));
    for (const point of [...view.teacher, ...view.student!]) {
      expect(Array.from(point.probabilities).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
    }
    const entropies = view.teacher.map((p) => p.entropyNats);
    entropies.slice(1).forEach((h, i) => expect(h).toBeGreaterThanOrEqual(entropies[i]!));
    expect(view.studentLogits).toHaveLength(3);

    const alone = await temperatureExplorer(teacher.model, null, x, data.inputShape, [1, 4]);
    expect(alone.student).toBeNull();
    expect(alone.teacher.map((p) => p.temperature)).toEqual([1, 4]);
    await expect(temperatureExplorer(teacher.model, null, x.slice(0, 1), [2])).rejects.toThrow(
      RangeError,
    );
    disposeAll(teacher.model, student);
  });
});
