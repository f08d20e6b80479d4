import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { pruneParams } from '../spec';
import type { Dataset } from '../../../engine/data/types';
import { modelBytes, tensorBytes } from '../../../engine/measure/size';
import { evaluate } from '../../../engine/train/evaluate';
import { MaskedDense, isMaskedLayer } from './masked-layers';
import { satisfiesNM } from '../nm';
import {
  CNN,
  MLP,
  bars,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
} from '../../../engine/network/test-fixtures';
import { weightValues } from '../../../engine/network/test-fixtures';
import { SPARSE_NOTE, runPrune } from './prune';
import { cloneModel } from '../../../engine/network/handle';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Stored (baked) kernels of the returned model, by layer name. */
function storedKernels(
  handle: ModelHandle,
): Map<string, { values: Float32Array; shape: number[] }> {
  const out = new Map<string, { values: Float32Array; shape: number[] }>();
  for (const layer of handle.model.layers) {
    const kernel = layer.getWeights()[0];
    if (kernel)
      out.set(layer.name, { values: Float32Array.from(kernel.dataSync()), shape: kernel.shape });
  }
  return out;
}

async function accuracy(model: tf.LayersModel, data: Dataset): Promise<number> {
  const predict = (x: tf.Tensor) => model.predict(x) as tf.Tensor;
  return (await evaluate(predict, data.test, data.inputShape, data.numClasses)).accuracy;
}

function zeros(values: Float32Array): number {
  return values.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);
}

describe('prune stage: magnitude', () => {
  it('prunes every layer to exactly round(s·n), counts bytes and MACs by hand', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const before = weightValues(teacher.model);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const out = await runPrune(ctx, teacher, pruneParamsWith({ finetuneEpochs: 2 }));

    const kernels = storedKernels(out);
    // MLP [2]→16→8→3: kernels of 32, 128 and 24 weights, half of each pruned.
    expect([...kernels.keys()]).toEqual(['dense1', 'dense2', 'logits']);
    expect([...kernels.values()].map((k) => zeros(k.values))).toEqual([16, 64, 12]);
    // Zeros ship as +0 (all bits 0), never −0.
    for (const k of kernels.values()) expect(k.values.some((v) => Object.is(v, -0))).toBe(false);
    // Bitmask beats dense: 8 header + 4·nnz + ⌈n/8⌉ → 76, 280, 59; biases 4·(16+8+3) = 108.
    const logitsKernel = out.storage.find((s) => s.name === 'logits/kernel')!;
    expect(tensorBytes(logitsKernel)).toEqual({
      name: 'logits/kernel',
      encoding: 'bitmask',
      bytes: 59,
    });
    expect(modelBytes(out.storage)).toBe(76 + 280 + 59 + 108);
    expect(out.macs).toBe(2 * 16 + 16 * 8 + 8 * 3);
    expect(out.effectiveMacs).toBe(92);
    expect(out.notes).toContain(SPARSE_NOTE);
    expect(out.label).toBe('prune 50% per layer');
    // Blobs are easy: half the weights gone and a short fine-tune keep the teacher's accuracy.
    const teacherAccuracy = await accuracy(teacher.model, data);
    expect(teacherAccuracy).toBeGreaterThan(0.9);
    expect(await accuracy(out.model, data)).toBeGreaterThan(teacherAccuracy - 0.05);
    // Fine-tuning ran: 192 examples / 32 = 6 steps an epoch, 2 epochs.
    expect(ctx.steps.map((s) => s.step)).toEqual([...Array(12).keys()]);
    // The mask kept in the model agrees with the baked zeros.
    for (const layer of out.model.layers.filter(isMaskedLayer)) {
      const mask = layer.getMask();
      const kernel = kernels.get(layer.name)!.values;
      mask.forEach((m, i) => expect(m === 0).toBe(kernel[i] === 0));
    }

    // A later stage clones the model: masks and zeros survive the JSON round trip.
    const copy = await cloneModel(out.model);
    expect(copy.layers.filter(isMaskedLayer).map((l) => l.getMask())).toEqual(
      out.model.layers.filter(isMaskedLayer).map((l) => l.getMask()),
    );
    expect(weightValues(copy)).toEqual(weightValues(out.model));
    copy.dispose();

    expect(weightValues(teacher.model)).toEqual(before);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });

  it('global scope prunes exactly round(s·Σn) weights over all layers', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({ scope: 'global', sparsity: 0.7 });
    const out = await runPrune(testContext(data, teacher.model), teacher, params);

    const counts = [...storedKernels(out).values()].map((k) => zeros(k.values));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(Math.round(0.7 * 184)); // 129
    expect(out.storage.reduce((n, s) => n + (s.name.endsWith('kernel') ? s.nonZeros! : 0), 0)).toBe(
      184 - 129,
    );
    expect(out.label).toBe('prune 70% global');
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});

describe('prune stage: N:M', () => {
  it('keeps 2 of every 4 inputs in every conv and dense kernel of a CNN', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 3);
    const before = weightValues(teacher.model);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({ kind: 'nm', n: 2, m: 4, sparsity: 0.9 });
    const out = await runPrune(testContext(data, teacher.model), teacher, params);

    const kernels = storedKernels(out);
    for (const { values, shape } of kernels.values()) {
      expect(satisfiesNM(values, shape, 2, 4)).toBe(true);
    }
    // conv1 3·3·1 = 9 inputs → groups 4, 4, 1 keep 2 + 2 + 1: 4 zeros per filter × 4 filters.
    expect(zeros(kernels.get('conv1')!.values)).toBe(16);
    expect(zeros(kernels.get('dense1')!.values)).toBe(36 * 8 * 0.5);
    expect(zeros(kernels.get('logits')!.values)).toBe(8);
    expect(out.label).toBe('prune 2:4');
    expect(weightValues(teacher.model)).toEqual(before);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});

describe('prune stage: schedules', () => {
  it('gradual ramp reaches the final sparsity exactly', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({ schedule: 'gradual', sparsity: 0.75, finetuneEpochs: 2 });
    const ctx = testContext(data, teacher.model);
    const setMask = vi.spyOn(MaskedDense.prototype, 'setMask');
    const out = await runPrune(ctx, teacher, params);
    // T = 12 steps: masks of the 3 layers updated at steps 0…9 (end = 0.75·T), sparsity rising.
    const dense2 = setMask.mock.calls.map(([m]) => zeros(m)).filter((_, i) => i % 3 === 1);
    setMask.mockRestore();
    expect(dense2).toHaveLength(10);
    expect(dense2[0]).toBe(0);
    expect(dense2.at(-1)).toBe(96);
    dense2.slice(1).forEach((z, i) => expect(z).toBeGreaterThanOrEqual(dense2[i]!));
    expect(new Set(dense2).size).toBeGreaterThan(5);

    const counts = [...storedKernels(out).values()].map((k) => zeros(k.values));
    expect(counts).toEqual([24, 96, 18]);
    expect(ctx.steps).toHaveLength(12);
    expect(out.label).toBe('prune 75% per layer, gradual');
    expect(out.notes).toHaveLength(1);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });

  it('gradual without fine-tuning steps prunes in one shot and says so', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data, 1);
    const params = pruneParamsWith({ schedule: 'gradual', finetuneEpochs: 0 });
    const out = await runPrune(testContext(data, teacher.model), teacher, params);
    expect([...storedKernels(out).values()].map((k) => zeros(k.values))).toEqual([16, 64, 12]);
    expect(out.notes.join(' ')).toMatch(/one shot/);
    out.model.dispose();
    teacher.model.dispose();
  });

  it('iterative rounds draw one continuous curve and end at the final sparsity', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data, 2);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({ schedule: 'iterative', rounds: 3, sparsity: 0.875 });
    const ctx = testContext(data, teacher.model);
    const out = await runPrune(ctx, teacher, params);

    expect([...storedKernels(out).values()].map((k) => zeros(k.values))).toEqual([28, 112, 21]);
    expect(ctx.steps.map((s) => s.step)).toEqual([...Array(18).keys()]);
    expect(new Set(ctx.steps.map((s) => s.totalSteps))).toEqual(new Set([18]));
    expect(ctx.steps.at(-1)!.epoch).toBe(2);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});

describe('prune stage: bad params', () => {
  it('refuses sparsity 1 and N > M (schema and stage), and impossible schedules', async () => {
    expect(pruneParams.safeParse({ sparsity: 1 }).success).toBe(false);
    expect(pruneParams.safeParse({ kind: 'nm', n: 5, m: 4 }).success).toBe(false);
    const data = blobs(30, 30);
    const teacher = await trainedTeacher(MLP, data, 1);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const run = (p: Parameters<typeof pruneParamsWith>[0]) =>
      runPrune(ctx, teacher, pruneParamsWith(p));
    await expect(run({ sparsity: 1 })).rejects.toThrow(StageError);
    await expect(run({ sparsity: 1 })).rejects.toThrow(/every weight/);
    await expect(run({ sparsity: -0.1 })).rejects.toThrow(/Sparsity/);
    await expect(run({ kind: 'nm', n: 5, m: 4 })).rejects.toThrow(
      /N must be a whole number from 1 to M; got 5:4/,
    );
    await expect(run({ kind: 'nm', schedule: 'gradual' })).rejects.toThrow(/one-shot/);
    await expect(run({ kind: 'structured', schedule: 'gradual' })).rejects.toThrow(StageError);
    await expect(run({ finetuneEpochs: -1 })).rejects.toThrow(/epochs/);
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});
