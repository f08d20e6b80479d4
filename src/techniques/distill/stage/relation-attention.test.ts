import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../experiment/schema';
import type { DistillParams } from '../spec';
import { distillParams, distillSummary } from '../spec';
import type { Dataset } from '../../../engine/data/types';
import { buildModel } from '../../../engine/network/build';
import { handleFromModel } from '../../../engine/network/handle';
import { runDistill } from './distill';
import { attentionLoss, attentionMap } from './losses';
import {
  CNN,
  MLP,
  bars,
  blobs,
  testContext,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function params(overrides: Partial<DistillParams> = {}): DistillParams {
  return distillParams.parse({ epochs: 2, learningRate: 0.02, baseline: false, ...overrides });
}

function student(data: Dataset, spec: ArchitectureSpec, seed = 21): ModelHandle {
  const model = buildModel(spec, data.inputShape, data.numClasses, seed);
  return handleFromModel(model, spec, data.inputShape, data.numClasses, 'student');
}

/** The first `count` training examples only. */
function firstTrain(data: Dataset, count: number): Dataset {
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  const train = { x: data.train.x.slice(0, count * size), y: data.train.y.slice(0, count), count };
  return { ...data, train };
}

const MLP_STUDENT: ArchitectureSpec = { kind: 'mlp', hidden: [4], activation: 'relu' };

describe('relation distillation (RKD-D) in the distill stage', () => {
  it('adds γ·RKD to the loss, trains, keeps the teacher, says so; a last batch of 1 is fine', async () => {
    // 33 examples at batch 32: the second batch of each epoch holds one example.
    const data = firstTrain(blobs(), 33);
    const teacher = await trainedTeacher(MLP, blobs());
    const before = weightValues(teacher.model);
    const plain = student(data, MLP_STUDENT);
    const related = student(data, MLP_STUDENT);
    const tensors = tf.memory().numTensors;
    const plainCtx = testContext(data, teacher.model);
    const relatedCtx = testContext(data, teacher.model);
    const a = await runDistill(plainCtx, plain, params());
    const b = await runDistill(relatedCtx, related, params({ relationWeight: 5 }));
    expect(relatedCtx.steps).toHaveLength(4);
    expect(relatedCtx.steps.every((s) => Number.isFinite(s.loss))).toBe(true);
    // The same first batch and weights: the relation term is what makes the losses differ.
    expect(relatedCtx.steps[0]!.loss).toBeGreaterThan(plainCtx.steps[0]!.loss);
    // A one-example batch has no pairs: it trains on L_KD alone instead of failing.
    expect(relatedCtx.steps[1]!.loss).not.toBeNaN();
    expect(weightValues(teacher.model)).toEqual(before);
    expect(b.notes.some((n) => n.startsWith('relation distillation γ=5'))).toBe(true);
    expect(b.label).toBe('distill T=4 α=0.7 γ=5');
    a.model.dispose();
    b.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    for (const h of [plain, related, teacher]) h.model.dispose();
  });

  it('needs at least 2 training examples and a hidden dense layer, and says so', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data, 2);
    const one = student(firstTrain(data, 1), MLP_STUDENT);
    const run = runDistill(
      testContext(firstTrain(data, 1), teacher.model),
      one,
      params({ relationWeight: 1 }),
    );
    await expect(run).rejects.toThrow(StageError);
    await expect(run).rejects.toThrow(/needs at least 2 training examples \(there are 1\)/);
    const flat = student(data, { kind: 'mlp', hidden: [], activation: 'relu' });
    await expect(
      runDistill(testContext(data, teacher.model), flat, params({ relationWeight: 1 })),
    ).rejects.toThrow(
      /Relation distillation match the last hidden dense layers, but the student has none/,
    );
    for (const h of [one, flat, teacher]) h.model.dispose();
  });
});

describe('attention transfer', () => {
  it('maps are Σ_c F² per position, unit length per example; the loss is 0 for the same maps', () => {
    const f = tf.tensor4d([1, 2, 0, 0, 3, 4, 0, 0], [1, 2, 2, 2]);
    // positions: (1,2) → 5, (0,0) → 0, (3,4) → 25, (0,0) → 0; norm √650
    const map = Array.from(attentionMap(f).dataSync());
    [5, 0, 25, 0].forEach((q, i) => expect(map[i]).toBeCloseTo(q / Math.sqrt(650), 6));
    expect(attentionLoss(f, tf.mul(f, 3), 2).dataSync()[0]).toBeCloseTo(0, 6);
    const other = tf.tensor4d([0, 0, 1, 0, 0, 0, 0, 0], [1, 2, 2, 2]);
    // Σ (a − b)² of two unit vectors = 2 − 2·a·b, here a·b = 0: loss 2·β.
    expect(attentionLoss(f, other, 3).dataSync()[0]).toBeCloseTo(6, 5);
    expect(() => attentionLoss(f, tf.zeros([1, 3, 3, 2]))).toThrow(/same size/);
  });

  it('trains a CNN student on the teacher’s last conv maps; refuses maps of other sizes', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 2);
    const narrow: ArchitectureSpec = {
      ...CNN,
      kind: 'cnn',
      convs: [{ filters: 2, kernel: 3 }],
      dense: [4],
    };
    const cnn = student(data, narrow);
    const ctx = testContext(data, teacher.model);
    const out = await runDistill(ctx, cnn, params({ attentionWeight: 50 }));
    expect(ctx.steps.length).toBeGreaterThan(0);
    expect(out.notes).toContain('attention transfer ×50 between the last conv feature maps');
    expect(distillSummary(params({ attentionWeight: 50 }))).toBe('distill T=4 α=0.7 AT=50');
    const wide: ArchitectureSpec = {
      ...CNN,
      kind: 'cnn',
      convs: [{ filters: 2, kernel: 5 }],
      dense: [4],
    };
    const other = student(data, wide);
    await expect(runDistill(ctx, other, params({ attentionWeight: 1 }))).rejects.toThrow(
      /the student's are 4×4 and the teacher's 6×6/,
    );
    const mlp = student(data, MLP_STUDENT);
    await expect(runDistill(ctx, mlp, params({ attentionWeight: 1 }))).rejects.toThrow(
      /the student has no conv layer/,
    );
    for (const h of [out, cnn, other, mlp, teacher]) h.model.dispose();
  });
});
