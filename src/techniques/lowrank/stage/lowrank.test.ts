import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../experiment/schema';
import type { LowrankParams } from '../spec';
import { lowrankParams } from '../spec';
import type { Dataset } from '../../../engine/data/types';
import { modelBytes } from '../../../engine/measure/size';
import { evaluate } from '../../../engine/train/evaluate';
import { buildLowRankModel, factorLayers } from './factor-layers';
import { lowRankReport, runLowrank } from './lowrank';
import { extractLayers } from '../../../engine/network/layer-ir';
import { runPrune } from '../../prune/stage/prune';
import {
  CNN,
  bars,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

const WIDE: ArchitectureSpec = { kind: 'mlp', hidden: [32, 32], activation: 'relu' };

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function disposeAll(...models: tf.LayersModel[]): void {
  for (const model of models) model.dispose();
}

afterAll(() => wide?.teacher.model.dispose());

function params(overrides: Partial<LowrankParams> = {}): LowrankParams {
  return { ...lowrankParams.parse({ finetuneEpochs: 0 }), ...overrides };
}

async function accuracy(model: tf.LayersModel, data: Dataset): Promise<number> {
  const predict = (x: tf.Tensor) => model.predict(x) as tf.Tensor;
  return (await evaluate(predict, data.test, data.inputShape, data.numClasses)).accuracy;
}

function outputs(model: tf.LayersModel, data: Dataset): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

let wide: { data: Dataset; teacher: ModelHandle } | null = null;
async function wideTeacher() {
  if (!wide) {
    const data = blobs();
    wide = { data, teacher: await trainedTeacher(WIDE, data, 10) };
  }
  return wide;
}

describe('factorLayers', () => {
  it('at full rank gives the original outputs (dense; bias-free _u, biased _v)', async () => {
    const { data, teacher } = await wideTeacher();
    const tensors = tf.memory().numTensors;
    const { layers, decisions } = factorLayers(
      extractLayers(teacher.model),
      { energy: 1 },
      {
        requireSaving: false,
      },
    );
    expect(decisions.map((d) => [d.name, d.rank, d.factored])).toEqual([
      ['dense1', 2, true],
      ['dense2', 32, true],
      ['logits', 3, true],
    ]);
    const model = buildLowRankModel(layers, data.inputShape);
    expect(model.layers.map((l) => l.name)).toEqual(
      ['dense1', 'dense2', 'logits'].flatMap((n) => [`${n}_u`, `${n}_v`]),
    );
    expect(model.layers.map((l) => l.getWeights().length)).toEqual([1, 2, 1, 2, 1, 2]);
    expect(model.getLayer('dense2_u').getWeights()[0]!.shape).toEqual([32, 32]);
    expect(maxDiff(outputs(model, data), outputs(teacher.model, data))).toBeLessThan(1e-4);
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('factors a conv kernel into a k×k conv with r filters and a 1×1 conv (full rank: same outputs)', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 2);
    const plain = extractLayers(teacher.model);
    const { layers } = factorLayers(plain, { energy: 1 }, { convs: true, requireSaving: false });
    const model = buildLowRankModel(layers, data.inputShape);
    // conv1 3×3×1×4 → [9×4] matrix of rank ≤ 4: conv 3×3×1×4 (no bias) → conv 1×1×4×4.
    expect(
      model
        .getLayer('conv1_u')
        .getWeights()
        .map((w) => w.shape),
    ).toEqual([[3, 3, 1, 4]]);
    expect(model.getLayer('conv1_v').getWeights()[0]!.shape).toEqual([1, 1, 4, 4]);
    expect(maxDiff(outputs(model, data), outputs(teacher.model, data))).toBeLessThan(1e-4);
    // Without the option, convs are left alone.
    expect(factorLayers(plain, { energy: 1 }).layers[0]!.name).toBe('conv1');
    disposeAll(model, teacher.model);
  });
});

describe('lowrank stage', () => {
  it('at 90% energy removes parameters and MACs, keeps accuracy, leaves the input alone', async () => {
    const { data, teacher } = await wideTeacher();
    const before = weightValues(teacher.model);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const out = await runLowrank(ctx, teacher, params({ energy: 0.9 }));

    const [dense1, dense2, logits] = lowRankReport(teacher);
    const r = dense2!.cumulativeEnergy.findIndex((e) => e >= 0.9 * (1 - 1e-12)) + 1;
    expect(r).toBeGreaterThan(0);
    expect(r).toBeLessThanOrEqual(dense2!.breakEvenRank); // dense2 is worth factoring here
    expect(dense1!.singularValues).toHaveLength(2); // 2×32 layers cannot save: kept
    expect(logits!.singularValues).toHaveLength(3);
    expect(out.model.layers.map((l) => l.name)).toEqual([
      'dense1',
      'dense2_u',
      'dense2_v',
      'logits',
    ]);
    // Params: 2·32 + 32 + (32 + 32)·r + 32 + 32·3 + 3; MACs: 64 + 64·r + 96.
    const paramCount = 64 + 32 + 64 * r + 32 + 96 + 3;
    expect(out.model.countParams()).toBe(paramCount);
    expect(paramCount).toBeLessThan(teacher.model.countParams());
    expect(modelBytes(out.storage)).toBe(4 * paramCount);
    expect(out.macs).toBe(64 + 64 * r + 96);
    expect(out.notes).toContain('fewer MACs: each factored layer is two thinner ones');
    expect(out.notes[0]).toMatch(new RegExp(`^factored dense2 r=${r}/32 \\(9\\d% energy\\)$`));
    expect(out.notes.some((n) => n.startsWith('logits kept as is: rank 3 would not save'))).toBe(
      true,
    );
    expect(out.label).toBe('low-rank 90% energy');
    const original = await accuracy(teacher.model, data);
    expect(original).toBeGreaterThan(0.9);
    expect(await accuracy(out.model, data)).toBeGreaterThanOrEqual(original - 0.05);
    expect(weightValues(teacher.model)).toEqual(before);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('takes a fixed rank where it fits and says where it does not; fine-tunes when asked', async () => {
    const { data, teacher } = await wideTeacher();
    const ctx = testContext(data, teacher.model);
    const out = await runLowrank(
      ctx,
      teacher,
      params({ rankMode: 'rank', rank: 8, finetuneEpochs: 1 }),
    );
    expect(out.model.getLayer('dense2_u').getWeights()[0]!.shape).toEqual([32, 8]);
    expect(out.model.getLayer('dense2_v').getWeights()[0]!.shape).toEqual([8, 32]);
    expect(out.notes).toContain('dense1 kept as is: rank 8 > min(m, n) = 2');
    expect(ctx.steps).toHaveLength(6);
    expect(out.label).toBe('low-rank r=8');
    expect(await accuracy(out.model, data)).toBeGreaterThan(0.85);
    out.model.dispose();
  });

  it('explains bad ranks and quantized inputs with StageErrors', async () => {
    const { data, teacher } = await wideTeacher();
    const ctx = testContext(data, teacher.model);
    const tensors = tf.memory().numTensors;
    const tooBig = runLowrank(ctx, teacher, params({ rankMode: 'rank', rank: 33 }));
    await expect(tooBig).rejects.toThrow(StageError);
    await expect(tooBig).rejects.toThrow(/rank must be between 1 and min\(m, n\) = 32/);
    const zero = runLowrank(ctx, teacher, params({ rankMode: 'rank', rank: 0 }));
    await expect(zero).rejects.toThrow(/rank must be between 1/);
    const quantized = { ...teacher, storage: teacher.storage.map((s) => ({ ...s, bits: 8 })) };
    await expect(runLowrank(ctx, quantized, params())).rejects.toThrow(/before quantization/);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('factors the kept weights of a pruned input and says the zeros are gone', async () => {
    const { data, teacher } = await wideTeacher();
    const ctx = testContext(data, teacher.model);
    const pruned = await runPrune(ctx, teacher, pruneParamsWith({ finetuneEpochs: 0 }));
    const out = await runLowrank(ctx, pruned, params({ rankMode: 'rank', rank: 4 }));
    expect(out.notes).toContain('pruned zeros are not kept: the factors are dense matrices');
    expect(out.model.layers.some((l) => l.getClassName() === 'MaskedDense')).toBe(false);
    disposeAll(out.model, pruned.model);
  });
});

describe('lowRankReport', () => {
  it('lists σ (descending) and cumulative energy per dense layer; Σσ² = ‖W‖²_F', async () => {
    const { teacher } = await wideTeacher();
    const report = lowRankReport(teacher);
    expect(report.map((l) => [l.name, l.rows, l.cols, l.breakEvenRank])).toEqual([
      ['dense1', 2, 32, 1],
      ['dense2', 32, 32, 15],
      ['logits', 32, 3, 2],
    ]);
    const kernel = teacher.model.getLayer('dense2').getWeights()[0]!.dataSync();
    const frobenius = Array.from(kernel).reduce((a, w) => a + w * w, 0);
    const s = report[1]!.singularValues;
    expect(s.reduce((a, v) => a + v * v, 0)).toBeCloseTo(frobenius, 3);
    s.slice(1).forEach((v, i) => expect(v).toBeLessThanOrEqual(s[i]!));
    const energy = report[1]!.cumulativeEnergy;
    expect(energy[31]).toBeCloseTo(1, 12);
    expect(energy[0]).toBeCloseTo((s[0]! * s[0]!) / frobenius, 4);
  });
});

describe('lowrank stage with convs', () => {
  it('factors the conv kernel into a k×k conv with r filters and a 1×1 conv when asked', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 2);
    const ctx = testContext(data, teacher.model);
    const before = tf.memory().numTensors;
    const denseOnly = await runLowrank(ctx, teacher, params({ rankMode: 'rank', rank: 2 }));
    const withConvs = await runLowrank(
      ctx,
      teacher,
      params({ rankMode: 'rank', rank: 2, convs: true }),
    );
    const names = withConvs.model.layers.map((l) => l.name);
    expect(names).toContain('conv1_u');
    expect(names).toContain('conv1_v');
    expect(denseOnly.model.layers.map((l) => l.name)).not.toContain('conv1_u');
    expect(withConvs.macs).toBeLessThan(denseOnly.macs);
    disposeAll(denseOnly.model, withConvs.model);
    expect(tf.memory().numTensors).toBe(before);
    teacher.model.dispose();
  });
});
