import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeQuantConv2D, FakeQuantDense } from './qlayers';
import { modelBytes, tensorBytes } from '../../../engine/measure/size';
import { disposeHandle } from '../../../engine/network/handle';
import { runPtq } from './ptq';
import { runQat } from './qat';
import { runPrune } from '../../prune/stage/prune';
import { extractLayers } from '../../../engine/network/layer-ir';
import { isWeightLayer, nonZeroCount } from '../../../engine/network/layers';
import { pruneParamsWith } from '../../../engine/network/test-fixtures';
import { qatSpec, qatSummary } from '../spec';
import { qatQuantizedLayers } from './qat-model';
import { quantizationReport } from './report';
import { accuracyOf, ptqParamsWith, qatParamsWith } from './test-fixtures';
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

/** Every QAT kernel's grid: zero points integral and inside [qmin, qmax], ŵ = the forward's. */
async function checkAsymmetricKernels(model: tf.LayersModel, bits: number): Promise<number[]> {
  const { kernels } = await qatQuantizedLayers(model);
  const zeroPoints: number[] = [];
  for (const [name, kernel] of kernels) {
    const { params, codes, dequantized } = kernel;
    expect([params.qmin, params.qmax]).toEqual([0, 2 ** bits - 1]);
    for (const z of params.zeroPoint) {
      expect(Number.isInteger(z) && z >= params.qmin && z <= params.qmax).toBe(true);
      zeroPoints.push(z);
    }
    expect(codes.every((q) => q >= params.qmin && q <= params.qmax)).toBe(true);
    const layer = model.getLayer(name) as FakeQuantDense;
    const forward = tf.tidy(() => layer.quantizedKernel().dataSync());
    expect(Array.from(dequantized)).toEqual(Array.from(forward));
  }
  return zeroPoints;
}

describe('QAT with asymmetric weights', () => {
  it('min/max w8a8: trains, converts with zero points; exact size with zero points and grids', async () => {
    const before = tf.memory().numTensors;
    const ctx = testContext(mlpData, mlp.model);
    const params = qatParamsWith({ scheme: 'asymmetric', epochs: 2 });
    const out = await runQat(ctx, mlp, params);
    expect(ctx.steps).toHaveLength(2 * 6);
    expect(ctx.steps.every((step) => Number.isFinite(step.loss))).toBe(true);
    expect(agreementNote(out)).toBeGreaterThanOrEqual(95);
    expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(0.8);
    const zeroPoints = await checkAsymmetricKernels(out.model, 8);
    expect(zeroPoints).toHaveLength(16 + 8 + 3); // one per output channel
    expect(zeroPoints.some((z) => z !== 0 && z !== 255)).toBe(true); // real offsets
    // Kernels [2,16], [16,8], [8,3], 8-bit per channel: header 8 + 1 B a weight + 4 B scale and
    // 1 B zero point per channel; biases fp32; 3 activation grids (layer inputs) of 4 B + 4 B.
    const kernelBytes = (i: number, o: number) => 8 + i * o + 4 * o + o;
    const expected =
      kernelBytes(2, 16) + kernelBytes(16, 8) + kernelBytes(8, 3) + 4 * (16 + 8 + 3) + 3 * 8;
    expect(expected).toBe(475);
    expect(modelBytes(out.storage)).toBe(expected);
    const kernels = out.storage.filter((spec) => spec.name.endsWith('kernel'));
    expect(kernels.map((spec) => [spec.scaleCount, spec.symmetric])).toEqual([
      [16, false],
      [8, false],
      [3, false],
    ]);
    expect(kernels.every((spec) => tensorBytes(spec).encoding === 'packed')).toBe(true);
    expect(out.label).toBe('QAT w8a8 asym');
    expect(out.notes.some((n) => n.includes('8-bit asymmetric per-channel weights'))).toBe(true);
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('w4 from scratch: the loss falls on the 4-bit asymmetric grid', async () => {
    const before = tf.memory().numTensors;
    const ctx = testContext(mlpData, mlp.model);
    const params = qatParamsWith({
      scheme: 'asymmetric',
      weightBits: 4,
      granularity: 'per-tensor',
      fromScratch: true,
      epochs: 6,
      learningRate: 0.02,
    });
    const out = await runQat(ctx, mlp, params);
    const losses = ctx.steps.map((step) => step.loss);
    expect(mean(losses.slice(-6))).toBeLessThan(mean(losses.slice(0, 6)) * 0.7);
    expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(0.8);
    expect(agreementNote(out)).toBeGreaterThanOrEqual(95);
    expect(await checkAsymmetricKernels(out.model, 4)).toHaveLength(3); // per tensor
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('LSQ+ on a CNN: learned scales and zero points; the integer path and the report use them', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 8);
    const before = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const params = qatParamsWith({
      scheme: 'asymmetric',
      learnedScale: true,
      weightBits: 4,
      epochs: 1,
      learningRate: 0.02,
    });
    const out = await runQat(ctx, teacher, params);
    const conv = out.model.getLayer('conv1');
    expect(conv.trainableWeights.map((w) => w.originalName)).toContain('conv1/weight_zero_point');
    const learnedZ = conv.getWeights()[3]!.dataSync();
    const zeroPoints = await checkAsymmetricKernels(out.model, 4);
    // the integer zero points are the learned ones rounded (they moved off integers in training)
    expect(zeroPoints.slice(0, 4)).toEqual(Array.from(learnedZ, (z) => Math.round(z)));
    expect(Array.from(learnedZ).some((z) => !Number.isInteger(z))).toBe(true);
    expect(agreementNote(out)).toBeGreaterThanOrEqual(95);
    const report = await quantizationReport(out, {
      weightBits: 4,
      scheme: 'asymmetric',
      granularity: 'per-channel',
    });
    expect(report[0]!.zeroPoints).toEqual(zeroPoints.slice(0, 4));
    expect(report[0]!.levels).toHaveLength(16);
    expect(out.label).toBe('QAT w4a8 asym LSQ');
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
    disposeHandle(teacher);
  });
});

describe('QAT checks', () => {
  it('needs an input model, valid bits and a known scheme', async () => {
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
    await expect(
      runQat(ctx, mlp, qatParamsWith({ scheme: 'skewed' as 'symmetric' })),
    ).rejects.toThrow(/symmetric or asymmetric/);
    const fresh = { ...mlp, label: 'student' };
    await expect(runQat(ctx, fresh, qatParamsWith({}))).rejects.toThrow(/not been trained/);
  });

  it('labels and registration', () => {
    expect(qatSpec.id).toBe('qat');
    expect(qatSummary(qatParamsWith({ weightBits: 4, granularity: 'per-tensor' }))).toBe(
      'QAT w4a8 per-tensor',
    );
    expect(qatSummary(qatParamsWith({ scheme: 'asymmetric', learnedScale: true }))).toBe(
      'QAT w8a8 asym LSQ',
    );
  });
});

describe('QAT after pruning', () => {
  it('keeps the pruned zeros: sparsity after prune → QAT equals sparsity after prune', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const ctx = testContext(data, teacher.model);
    const pruned = await runPrune(
      ctx,
      teacher,
      pruneParamsWith({ sparsity: 0.5, finetuneEpochs: 0 }),
    );
    const zerosOf = (h: typeof pruned) =>
      extractLayers(h.model)
        .filter(isWeightLayer)
        .map((l) => l.kernel.length - nonZeroCount(l.kernel));
    const before = zerosOf(pruned);
    expect(before.every((z) => z > 0)).toBe(true);
    const qat = await runQat(ctx, pruned, qatParamsWith({ epochs: 2, learningRate: 0.01 }));
    expect(zerosOf(qat)).toEqual(before);
    // …and the stored size counts them: non-zeros per kernel as after pruning.
    const kernels = qat.storage.filter((s) => s.name.endsWith('/kernel'));
    expect(kernels.map((s) => s.shape.reduce((a, b) => a * b, 1) - s.nonZeros!)).toEqual(before);
    for (const h of [teacher, pruned, qat]) h.model.dispose();
  });
});
