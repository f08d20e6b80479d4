import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelBytes, tensorBytes } from '../../../engine/measure/size';
import { disposeHandle } from '../../../engine/network/handle';
import { runPtq } from './ptq';
import { ptqSpec, ptqSummary } from '../spec';
import { accuracyOf, ptqParamsWith } from './test-fixtures';
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
let cnnData: ReturnType<typeof bars>;
let cnn: ModelHandle;

beforeAll(async () => {
  await tf.setBackend('cpu');
  mlpData = blobs();
  mlp = await trainedTeacher(MLP, mlpData, 6);
  cnnData = bars();
  cnn = await trainedTeacher(CNN, cnnData, 8);
});

afterAll(() => {
  disposeHandle(mlp);
  disposeHandle(cnn);
});

const fp32Bytes = (h: ModelHandle) => modelBytes(h.storage);
function agreementOf(handle: ModelHandle): number {
  const note = handle.notes.find((n) => n.startsWith('integer model agrees'));
  return Number(/([\d.]+)%/.exec(note ?? '')?.[1]);
}

const predictOf = (h: ModelHandle) =>
  h.predict ?? ((x: tf.Tensor) => h.model.predict(x) as tf.Tensor);

describe('PTQ dynamic (activation grids from each batch)', () => {
  it('runs the integer path with per-batch grids; accuracy and sizes as weight-only', async () => {
    const before = tf.memory().numTensors;
    const ctx = testContext(mlpData, mlp.model);
    const out = await runPtq(ctx, mlp, ptqParamsWith({ mode: 'dynamic' }));
    const weightOnly = await runPtq(ctx, mlp, ptqParamsWith({ mode: 'weight-only' }));
    expect(out.label).toBe('PTQ w8a8 dynamic');
    expect(out.predictPath).toMatch(/int8 wasm engine, .*activation grids from each batch/);
    expect(out.notes.join(' ')).toMatch(/grid computed from each batch/);
    expect(out.integerModel).toBeUndefined();
    // The shipped path is not the float ŵ model: its logits differ, its picks nearly agree.
    const x = tf.tensor(mlpData.test.x, [mlpData.test.count, 2]);
    const dyn = out.predict!(x);
    const flt = weightOnly.model.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(dyn, flt))).dataSync()[0]!);
    expect(diff).toBeGreaterThan(0);
    expect(diff).toBeLessThan(0.2);
    expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(
      accuracyOf(predictOf(weightOnly), mlpData) - 0.03,
    );
    // One example alone gets its own grid: the same logits as in the full batch only by chance.
    const one = tf.tensor(mlpData.test.x.slice(0, 2), [1, 2]);
    const alone = out.predict!(one);
    expect(alone.shape).toEqual([1, 3]);
    tf.dispose([x, dyn, flt, one, alone]);
    expect(modelBytes(out.storage)).toBe(modelBytes(weightOnly.storage));
    disposeHandle(out);
    disposeHandle(weightOnly);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('checks the activation bits it quantizes to', async () => {
    const ctx = testContext(mlpData, mlp.model);
    await expect(
      runPtq(ctx, mlp, ptqParamsWith({ mode: 'dynamic', activationBits: 1 })),
    ).rejects.toThrow(/Activation bits/);
  });
});

describe('PTQ weight-only', () => {
  it('int8 per-channel: exact packed bytes ≈ 25% of fp32 kernels, biases fp32', async () => {
    const before = tf.memory().numTensors;
    const ctx = testContext(mlpData, mlp.model);
    const out = await runPtq(ctx, mlp, ptqParamsWith({ mode: 'weight-only' }));
    // kernels [2,16], [16,8], [8,3]: header 8 + 4 B per channel scale + 1 B per weight
    const kernels = [
      [2, 16],
      [16, 8],
      [8, 3],
    ];
    const expected = kernels.reduce((sum, [i, o]) => sum + 8 + 4 * o! + i! * o! + 4 * o!, 0);
    expect(modelBytes(out.storage)).toBe(expected);
    const kernelSpec = out.storage[0]!;
    expect(kernelSpec).toMatchObject({
      name: 'dense1/kernel',
      bits: 8,
      scaleCount: 16,
      symmetric: true,
    });
    expect(out.storage[1]).toMatchObject({ name: 'dense1/bias', bits: 32 });
    expect(tensorBytes(kernelSpec).encoding).toBe('packed');
    // The first kernel as stored: 8 B header + 16 fp32 scales + one byte per weight (2·16).
    expect(tensorBytes(kernelSpec).bytes).toBe(8 + 4 * 16 + 2 * 16);
    expect(modelBytes(out.storage) / fp32Bytes(mlp)).toBeLessThan(0.55);
    expect(out.notes).toContain('runs dequantized in float: tfjs has no int8 kernels');
    expect(out.predict).toBeUndefined();
    expect(out.label).toBe('PTQ w8 weight-only');
    // Accuracy barely moves at 8 bits.
    expect(accuracyOf(predictOf(out), mlpData)).toBeGreaterThan(
      accuracyOf(predictOf(mlp), mlpData) - 0.03,
    );
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('int4 per-tensor: half the int8 kernel bytes, one scale per tensor', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const params = ptqParamsWith({ mode: 'weight-only', weightBits: 4, granularity: 'per-tensor' });
    const out = await runPtq(ctx, mlp, params);
    const kernels = out.storage.filter((s) => s.name.endsWith('kernel'));
    expect(kernels.every((s) => s.bits === 4 && s.scaleCount === 1)).toBe(true);
    // 4-bit codes: ⌈4·n/8⌉ B = n/2 B for the (even) weight counts here, + header + one scale.
    for (const spec of kernels) {
      const n = spec.shape.reduce((a, b) => a * b, 1);
      const dense = 8 + 4 + Math.ceil(n / 2);
      expect(tensorBytes(spec).bytes).toBeLessThanOrEqual(dense);
      if (tensorBytes(spec).encoding === 'packed') expect(tensorBytes(spec).bytes).toBe(dense);
    }
    expect(out.label).toBe('PTQ w4 weight-only per-tensor');
    disposeHandle(out);
  });

  it('the float model computes with ŵ: every kernel lies on its grid; biases unchanged', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const out = await runPtq(
      ctx,
      mlp,
      ptqParamsWith({ mode: 'weight-only', weightBits: 3, granularity: 'per-tensor' }),
    );
    const kernel = out.model.getLayer('dense2').getWeights()[0]!.dataSync();
    const distinct = new Set(Array.from(kernel));
    expect(distinct.size).toBeLessThanOrEqual(7); // 3-bit narrow symmetric: −3…3
    const biasIn = mlp.model.getLayer('dense2').getWeights()[1]!.dataSync();
    const biasOut = out.model.getLayer('dense2').getWeights()[1]!.dataSync();
    expect(Array.from(biasOut)).toEqual(Array.from(biasIn));
    disposeHandle(out);
  });

  it('power-of-two weights: every non-zero |ŵ| is 2^k', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const out = await runPtq(
      ctx,
      mlp,
      ptqParamsWith({ mode: 'weight-only', weightBits: 4, powerOfTwo: true }),
    );
    const kernel = out.model.getLayer('dense1').getWeights()[0]!.dataSync();
    for (const w of kernel)
      if (w !== 0) expect(Number.isInteger(Math.log2(Math.abs(w)))).toBe(true);
    expect(out.label).toContain('pow2');
    disposeHandle(out);
  });
});

describe('PTQ static (weights and activations, integer model)', () => {
  it('MLP int8: accuracy near the float teacher, integer path agrees with fake-quant', async () => {
    const before = tf.memory().numTensors;
    const teacherWeights = weightValues(mlp.model);
    const ctx = testContext(mlpData, mlp.model);
    const out = await runPtq(ctx, mlp, ptqParamsWith({}));
    expect(out.predict).toBeDefined();
    const teacherAcc = accuracyOf(predictOf(mlp), mlpData);
    const integerAcc = accuracyOf(out.predict!, mlpData);
    expect(integerAcc).toBeGreaterThan(teacherAcc - 0.05);
    const agree = out.notes.find((n) => n.startsWith('integer model agrees'));
    const pct = Number(/([\d.]+)%/.exec(agree ?? '')?.[1]);
    expect(pct).toBeGreaterThanOrEqual(95);
    const accumulator = out.notes
      .map((n) => /^int32 accumulators suffice \(worst case (\d+) bits\)$/.exec(n))
      .find(Boolean);
    expect(Number(accumulator?.[1])).toBeLessThanOrEqual(32);
    expect(ctx.progress.some(([, m]) => m === 'calibrating activation ranges')).toBe(true);
    expect(out.label).toBe('PTQ w8a8 static');
    // Size: the weight-only int8 bytes (kernels 8 + i·o + 4·o, biases 4·o) plus one activation grid
    // per layer input the integer model reads (3 layers × (4 B scale + 4 B int32 zero point)).
    const layerBytes = (i: number, o: number) => 8 + i * o + 4 * o + 4 * o;
    const weights = layerBytes(2, 16) + layerBytes(16, 8) + layerBytes(8, 3);
    expect(modelBytes(out.storage)).toBe(weights + 3 * 8);
    expect(out.storage.filter((spec) => spec.activationGrid).map((spec) => spec.bits)).toEqual([
      8, 8, 8,
    ]);
    for (const mode of ['weight-only', 'dynamic'] as const) {
      const other = await runPtq(ctx, mlp, ptqParamsWith({ mode }));
      expect(modelBytes(other.storage)).toBe(weights); // no activation grids are stored
      disposeHandle(other);
    }
    // The input model is unchanged.
    weightValues(mlp.model).forEach((w, i) => expect(w).toEqual(teacherWeights[i]));
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('CNN int8 (conv → pool → flatten → dense): integer model agrees on ≥ 95%', async () => {
    const before = tf.memory().numTensors;
    const ctx = testContext(cnnData, cnn.model);
    const out = await runPtq(ctx, cnn, ptqParamsWith({ observer: 'percentile', percentile: 99.9 }));
    const fakeQuant = (x: tf.Tensor) => out.model.predict(x) as tf.Tensor;
    const agreement = tf.tidy(() => {
      const x = tf.tensor(cnnData.test.x, [cnnData.test.count, 8, 8, 1]);
      const a = tf.argMax(out.predict!(x), -1);
      const b = tf.argMax(fakeQuant(x), -1);
      return tf.mean(tf.cast(tf.equal(a, b), 'float32')).dataSync()[0]!;
    });
    expect(agreement).toBeGreaterThanOrEqual(0.95);
    expect(accuracyOf(out.predict!, cnnData)).toBeGreaterThan(
      accuracyOf(predictOf(cnn), cnnData) - 0.1,
    );
    expect(out.notes.some((n) => n.includes('test images'))).toBe(true);
    expect(out.storage.map((s) => s.name)).toEqual([
      'conv1/kernel',
      'conv1/bias',
      'dense1/kernel',
      'dense1/bias',
      'logits/kernel',
      'logits/bias',
      'conv1/input_grid',
      'dense1/input_grid',
      'logits/input_grid',
    ]);
    expect(out.macs).toBe(cnn.macs);
    disposeHandle(out);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ema observer and asymmetric per-tensor weights also convert', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const params = ptqParamsWith({
      observer: 'ema',
      scheme: 'asymmetric',
      granularity: 'per-tensor',
    });
    const out = await runPtq(ctx, mlp, params);
    const kernels = out.storage.filter((s) => s.name.endsWith('kernel'));
    expect(kernels.every((s) => s.symmetric === false && s.scaleCount === 1)).toBe(true);
    expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(0.8);
    disposeHandle(out);
  });

  it('power-of-two weights and sigmoid units (lookup table) convert too', async () => {
    const sigmoid = await trainedTeacher(
      { ...MLP, activation: 'sigmoid' } as typeof MLP,
      mlpData,
      8,
    );
    for (const [handle, params] of [
      [sigmoid, ptqParamsWith({})],
      [mlp, ptqParamsWith({ powerOfTwo: true, weightBits: 5 })],
    ] as const) {
      const out = await runPtq(testContext(mlpData, mlp.model), handle, params);
      expect(agreementOf(out)).toBeGreaterThanOrEqual(95);
      // sigmoid hidden layers also keep their lookup table's 16-bit pre-activation grid
      const grids = out.storage.filter((spec) => spec.activationGrid);
      expect(grids.map((spec) => `${spec.name}:${spec.bits}`)).toEqual(
        handle === sigmoid
          ? [
              'dense1/input_grid:8',
              'dense1/pre_activation_grid:16',
              'dense2/input_grid:8',
              'dense2/pre_activation_grid:16',
              'logits/input_grid:8',
            ]
          : ['dense1/input_grid:8', 'dense2/input_grid:8', 'logits/input_grid:8'],
      );
      expect(accuracyOf(out.predict!, mlpData)).toBeGreaterThan(
        accuracyOf(predictOf(handle), mlpData) - 0.1,
      );
      disposeHandle(out);
    }
    disposeHandle(sigmoid);
  });

  it('16-bit weights and activations need a wider accumulator, and say so', async () => {
    const out = await runPtq(
      testContext(mlpData, mlp.model),
      mlp,
      ptqParamsWith({ weightBits: 16, activationBits: 16 }),
    );
    expect(out.notes.some((n) => /needs \d+ bits: a real runtime would use int64/.test(n))).toBe(
      true,
    );
    expect(agreementOf(out)).toBeGreaterThanOrEqual(95);
    disposeHandle(out);
  });

  it('handle.predict allocates exactly one tensor (its output)', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const out = await runPtq(ctx, mlp, ptqParamsWith({ weightBits: 4, activationBits: 4 }));
    const x = tf.tensor2d([
      [0.1, 0.2],
      [-1, 0],
    ]);
    const before = tf.memory().numTensors;
    const y = out.predict!(x);
    expect(y.shape).toEqual([2, 3]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
    disposeHandle(out);
  });
});

describe('PTQ parameter checks', () => {
  it('bits outside 2..16 throw a StageError naming the range', async () => {
    const ctx = testContext(mlpData, mlp.model);
    for (const bits of [1, 17, 4.5]) {
      await expect(runPtq(ctx, mlp, ptqParamsWith({ weightBits: bits }))).rejects.toThrow(
        StageError,
      );
      await expect(runPtq(ctx, mlp, ptqParamsWith({ activationBits: bits }))).rejects.toThrow(
        /2 to 16/,
      );
    }
    await expect(runPtq(ctx, mlp, ptqParamsWith({ calibrationSize: 0 }))).rejects.toThrow(
      /calibration/,
    );
  });

  it('is registered under its id with a label', () => {
    expect(ptqSpec.id).toBe('ptq');
    expect(ptqSummary(ptqParamsWith({ scheme: 'asymmetric', mode: 'static' }))).toBe(
      'PTQ w8a8 static asym',
    );
  });
});
