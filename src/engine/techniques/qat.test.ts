import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeQuantConv2D, FakeQuantDense } from '../quant';
import { modelBytes } from '../measure/size';
import { disposeHandle } from './handle';
import { runPtq } from './ptq';
import { qatLabel, qatTechnique, runQat } from './qat';
import {
  CNN,
  MLP,
  accuracyOf,
  bars,
  blobs,
  ptqParamsWith,
  qatParamsWith,
  testContext,
  trainedTeacher,
  weightValues,
} from './quant-fixtures';
import type { ModelHandle } from './types';
import { StageError } from './types';

let mlpData: ReturnType<typeof blobs>;
let mlp: ModelHandle;

beforeAll(async () => {
  await tf.setBackend('cpu');
  mlpData = blobs();
  mlp = await trainedTeacher(MLP, mlpData, 6);
});

afterAll(() => disposeHandle(mlp));

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

function agreementNote(handle: ModelHandle): number {
  const note = handle.notes.find((n) => n.startsWith('integer model agrees'));
  return Number(/([\d.]+)%/.exec(note ?? '')?.[1]);
}

describe('QAT', () => {
  it('w4a8 from scratch: the loss falls and the integer model is usable', async () => {
    const before = tf.memory().numTensors;
    const ctx = testContext(mlpData, mlp.model);
    const params = qatParamsWith({
      weightBits: 4,
      fromScratch: true,
      epochs: 6,
      learningRate: 0.02,
    });
    const out = await runQat(ctx, mlp, params);
    const losses = ctx.steps.map((s) => s.loss);
    expect(ctx.steps.length).toBe(6 * 6); // 192 examples / 32 per batch × 6 epochs
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) * 0.7);
    expect(out.predict).toBeDefined();
    expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(0.8);
    expect(agreementNote(out)).toBeGreaterThanOrEqual(95);
    expect(out.label).toBe('QAT w4a8, from scratch');
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fine-tunes a copy with fake-quant layers; storage packed at 4 bits; input unchanged', async () => {
    const before = tf.memory().numTensors;
    const teacherWeights = weightValues(mlp.model);
    const ctx = testContext(mlpData, mlp.model);
    const out = await runQat(ctx, mlp, qatParamsWith({ weightBits: 4, epochs: 1 }));
    expect(out.model.getLayer('dense1')).toBeInstanceOf(FakeQuantDense);
    expect(out.model.layers.map((l) => l.name)).toEqual([
      'dense1_input_quant',
      'dense1',
      'dense2_input_quant',
      'dense2',
      'logits_input_quant',
      'logits',
    ]);
    const kernels = out.storage.filter((s) => s.name.endsWith('kernel'));
    expect(kernels.map((s) => [s.bits, s.scaleCount, s.symmetric])).toEqual([
      [4, 16, true],
      [4, 8, true],
      [4, 3, true],
    ]);
    expect(modelBytes(out.storage)).toBeLessThan(modelBytes(mlp.storage) * 0.45);
    // Fine-tuning starts from the teacher: accuracy stays up from the first step.
    expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(
      accuracyOf((x) => mlp.model.predict(x) as tf.Tensor, mlpData) - 0.05,
    );
    weightValues(mlp.model).forEach((w, i) => expect(w).toEqual(teacherWeights[i]));
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('LSQ on a CNN: scales are trained weights, integer path agrees with the QAT model', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 8);
    const before = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const out = await runQat(ctx, teacher, qatParamsWith({ learnedScale: true, epochs: 1 }));
    const conv = out.model.getLayer('conv1');
    expect(conv).toBeInstanceOf(FakeQuantConv2D);
    expect(conv.trainableWeights.map((w) => w.originalName)).toContain('conv1/weight_scale');
    expect(agreementNote(out)).toBeGreaterThanOrEqual(95);
    expect(out.label).toBe('QAT w8a8 LSQ');
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
    disposeHandle(teacher);
  });

  it('a later PTQ stage reads the QAT model (fake-quant layers skipped or read as weights)', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const out = await runQat(ctx, mlp, qatParamsWith({ epochs: 0 }));
    const again = await runPtq(ctx, out, ptqParamsWith({ weightBits: 8 }));
    expect(again.model.layers.map((l) => l.getClassName())).toContain('Dense');
    expect(accuracyOf(again.predict!, mlpData)).toBeGreaterThan(0.8);
    disposeHandle(again);
    disposeHandle(out);
  });

  it('zero epochs converts without training', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const out = await runQat(ctx, mlp, qatParamsWith({ epochs: 0 }));
    expect(ctx.steps).toHaveLength(0);
    expect(agreementNote(out)).toBeGreaterThanOrEqual(95);
    disposeHandle(out);
  });
});

describe('QAT checks', () => {
  it('needs an input model, valid bits and the symmetric scheme', async () => {
    const ctx = testContext(mlpData, mlp.model);
    await expect(runQat(ctx, null, qatParamsWith({}))).rejects.toThrow(
      /QAT needs a trained teacher/,
    );
    for (const bits of [1, 17]) {
      await expect(runQat(ctx, mlp, qatParamsWith({ weightBits: bits }))).rejects.toThrow(
        StageError,
      );
      await expect(runQat(ctx, mlp, qatParamsWith({ activationBits: bits }))).rejects.toThrow(
        /2 to 16/,
      );
    }
    await expect(runQat(ctx, mlp, qatParamsWith({ scheme: 'asymmetric' }))).rejects.toThrow(
      /symmetric/,
    );
    const fresh = { ...mlp, label: 'student' };
    await expect(runQat(ctx, fresh, qatParamsWith({}))).rejects.toThrow(/not been trained/);
  });

  it('labels and registration', () => {
    expect(qatTechnique.id).toBe('qat');
    expect(qatLabel(qatParamsWith({ weightBits: 4, granularity: 'per-tensor' }))).toBe(
      'QAT w4a8 per-tensor',
    );
  });
});
