import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelBytes } from '../../../engine/measure/size';
import { disposeHandle } from '../../../engine/network/handle';
import { runPtq } from './ptq';
import { runQat } from './qat';
import { runQuantSensitivity } from './sensitivity';
import { ptqSummary, qatSummary } from '../spec';
import { allocateBits } from '../mixed-precision';
import { ptqParamsWith, qatParamsWith } from './test-fixtures';
import {
  CNN,
  MLP,
  bars,
  blobs,
  testContext,
  trainedTeacher,
} from '../../../engine/network/test-fixtures';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

let mlpData: ReturnType<typeof blobs>;
let mlp: ModelHandle;

beforeAll(async () => {
  await tf.setBackend('cpu');
  mlpData = blobs(192, 96);
  mlp = await trainedTeacher(MLP, mlpData, 6);
});
afterAll(() => disposeHandle(mlp));

const kernelBits = (h: ModelHandle) =>
  h.storage.filter((s) => s.name.endsWith('/kernel')).map((s) => [s.name, s.bits]);

describe('quantization sensitivity scan', () => {
  it('measures each layer alone at each width, with its bytes; frees its tensors', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const before = tf.memory().numTensors;
    const table = await runQuantSensitivity(ctx, mlp, [8, 4, 2]);
    expect(tf.memory().numTensors).toBe(before);
    expect(table.bits).toEqual([8, 4, 2]);
    expect(table.layers.map((l) => [l.name, l.count])).toEqual([
      ['dense1', 32],
      ['dense2', 128],
      ['logits', 24],
    ]);
    expect(table.drop).toHaveLength(3);
    table.drop.forEach((row, l) =>
      row.forEach((d, j) => expect(d).toBeCloseTo(table.baseline - table.accuracy[l]![j]!, 12)),
    );
    // 8 bits loses (almost) nothing; every layer's bytes shrink with its bits.
    for (const row of table.drop) expect(row[0]).toBeLessThanOrEqual(0.02);
    for (const layer of table.layers) {
      expect(layer.bytes[0]).toBeGreaterThan(layer.bytes[1]!);
      expect(layer.bytes[1]).toBeGreaterThan(layer.bytes[2]!);
    }
    // The output divergence from the float model: ≥ 0, and larger at 2 bits than at 8.
    for (const row of table.divergence) {
      for (const d of row) expect(d).toBeGreaterThanOrEqual(0);
      expect(row[2]).toBeGreaterThan(row[0]!);
    }
    // dense2 at 8 bits: 8 B header + 128 codes + 8 per-channel fp32 scales.
    expect(table.layers[1]!.bytes[0]).toBe(8 + 128 + 32);
    expect(table.fixedBytes).toBe(4 * (16 + 8 + 3));
    expect(table.modelBytes).toBe(modelBytes(mlp.storage));
    expect(table.examples).toBe(mlpData.validation.count);
    expect(ctx.progress.at(-1)![0]).toBe(1);
  });

  it('refuses an empty or out-of-range grid and a quantized model, clearly', async () => {
    const ctx = testContext(mlpData, mlp.model);
    await expect(runQuantSensitivity(ctx, mlp, [])).rejects.toThrow(StageError);
    await expect(runQuantSensitivity(ctx, mlp, [8, 1])).rejects.toThrow(/whole number 2–16; got 1/);
    const ptq = await runPtq(ctx, mlp, ptqParamsWith({ mode: 'weight-only' }));
    await expect(runQuantSensitivity(ctx, ptq, [8])).rejects.toThrow(/scan the teacher/);
    disposeHandle(ptq);
  });
});

describe('mixed-precision PTQ and QAT', () => {
  it('an allocation written into weight-only PTQ ships exactly the bytes it predicted', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const table = await runQuantSensitivity(ctx, mlp);
    const costs = {
      bits: table.bits,
      cost: table.divergence,
      bytes: table.layers.map((l) => l.bytes),
      fixedBytes: table.fixedBytes,
    };
    const allocation = allocateBits(costs, Math.round(0.4 * table.modelBytes));
    const layerBits = Object.fromEntries(table.layers.map((l, i) => [l.name, allocation.bits[i]!]));
    const out = await runPtq(ctx, mlp, ptqParamsWith({ mode: 'weight-only', layerBits }));
    expect(modelBytes(out.storage)).toBe(allocation.bytes);
    expect(kernelBits(out)).toEqual(
      table.layers.map((l, i) => [`${l.name}/kernel`, allocation.bits[i]]),
    );
    expect(out.notes).toContain(
      `mixed precision, weight bits per layer: ${table.layers.map((l, i) => `${l.name} ${allocation.bits[i]}`).join(', ')}`,
    );
    disposeHandle(out);
  });

  it('static PTQ converts each layer at its own bits; the chip shows the range', async () => {
    const ctx = testContext(mlpData, mlp.model);
    const params = ptqParamsWith({
      layerBits: { dense1: 8, dense2: 3, nothing: 4 },
      weightBits: 6,
    });
    const out = await runPtq(ctx, mlp, params);
    expect(kernelBits(out)).toEqual([
      ['dense1/kernel', 8],
      ['dense2/kernel', 3],
      ['logits/kernel', 6],
    ]);
    const ops = out.integerModel!.ops.filter((op) => op.kind === 'dense');
    expect(ops.map((op) => (op.kind === 'dense' ? op.layer.weightParams.bits : 0))).toEqual([
      8, 3, 6,
    ]);
    expect(out.notes).toContain('per-layer bits for unknown layers ignored: nothing');
    // 8-, 3- and 6-bit layers all unpack to int8: the whole model runs on our wasm engine.
    expect(out.predictPath).toMatch(/^int8 wasm engine/);
    expect(ptqSummary(params)).toBe('PTQ w3–8a8 static mixed');
    expect(out.label).toBe('PTQ w3–8a8 static mixed');
    disposeHandle(out);
    await expect(runPtq(ctx, mlp, ptqParamsWith({ layerBits: { dense1: 1 } }))).rejects.toThrow(
      /Weight bits of dense1 must be a whole number from 2 to 16, got 1/,
    );
  });

  it('QAT trains each layer on its own grid and converts it at those bits', async () => {
    const data = bars();
    const cnn = await trainedTeacher(CNN, data, 3);
    const ctx = testContext(data, cnn.model);
    const params = qatParamsWith({ epochs: 1, layerBits: { conv1: 8, dense1: 2 }, weightBits: 4 });
    const out = await runQat(ctx, cnn, params);
    expect(kernelBits(out)).toEqual([
      ['conv1/kernel', 8],
      ['dense1/kernel', 2],
      ['logits/kernel', 4],
    ]);
    const grid = out.model.getLayer('dense1').getConfig() as { weightBits?: number };
    expect(grid.weightBits).toBe(2);
    expect(qatSummary(params)).toBe('QAT w2–8a8 mixed');
    disposeHandle(out);
    disposeHandle(cnn);
  });
});
