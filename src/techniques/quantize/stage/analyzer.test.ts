import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disposeHandle } from '../../../engine/network/handle';
import { runPtq } from './ptq';
import { analyzeQuantization, LAYER_SAMPLE } from './analyzer';
import { ptqParamsWith } from './test-fixtures';
import { CNN, bars, testContext, trainedTeacher } from '../../../engine/network/test-fixtures';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

let data: ReturnType<typeof bars>;
let cnn: ModelHandle;

beforeAll(async () => {
  await tf.setBackend('cpu');
  data = bars(192, 96);
  cnn = await trainedTeacher(CNN, data, 8);
});
afterAll(() => disposeHandle(cnn));

async function analyze(params: Parameters<typeof ptqParamsWith>[0]) {
  const handle = await runPtq(testContext(data, cnn.model), cnn, ptqParamsWith(params));
  const before = tf.memory().numTensors;
  const analysis = await analyzeQuantization('v', handle, data.validation, data.inputShape);
  expect(tf.memory().numTensors).toBe(before);
  disposeHandle(handle);
  return analysis;
}

describe('quantization analyzer', () => {
  it('at 8 bits: every simulation near float, shipped ≈ both; layer errors and ranges', async () => {
    const a = await analyze({});
    expect(a.examples).toBe(data.validation.count);
    for (const acc of [a.weightsOnly, a.activationsOnly, a.both, a.shipped]) {
      expect(Math.abs(acc - a.float)).toBeLessThanOrEqual(0.05);
    }
    expect(Math.abs(a.shipped - a.both)).toBeLessThanOrEqual(0.05);
    expect(a.layers.map((l) => [l.name, l.weightBits, l.activationBits])).toEqual([
      ['conv1', 8, 8],
      ['dense1', 8, 8],
      ['logits', 8, 8],
    ]);
    for (const layer of a.layers) {
      expect(layer.outputSqnrDb).toBeGreaterThan(20);
      expect(layer.outputMse).toBeGreaterThanOrEqual(0);
      const { edges, counts, clipMin, clipMax, clipped } = layer.input;
      expect(edges).toHaveLength(counts.length + 1);
      expect(clipMin).toBeLessThanOrEqual(0);
      expect(clipMax).toBeGreaterThan(clipMin);
      expect(clipped).toBeGreaterThanOrEqual(0);
      expect(clipped).toBeLessThan(0.05);
    }
    // conv1 reads the 8×8 image: its histogram holds every input value of the sample.
    const sample = Math.min(LAYER_SAMPLE, data.validation.count);
    expect(a.layers[0]!.input.counts.reduce((x, y) => x + y, 0)).toBe(sample * 64);
  });

  it('tells a costly layer apart: with dense1 at 2 bits, turning its quantizers off helps most', async () => {
    const a = await analyze({ layerBits: { dense1: 2 }, mode: 'static' });
    const dense1 = a.layers.find((l) => l.name === 'dense1')!;
    expect(dense1.weightBits).toBe(2);
    expect(a.weightsOnly).toBeLessThanOrEqual(a.activationsOnly);
    expect(dense1.accuracyWithout).toBeGreaterThanOrEqual(a.both);
    expect(dense1.accuracyWithout).toBe(Math.max(...a.layers.map((l) => l.accuracyWithout)));
    expect(dense1.outputSqnrDb).toBeLessThan(a.layers[0]!.outputSqnrDb);
  });

  it('with 2-bit activations the activations are what costs: lower SQNR in every layer', async () => {
    const a8 = await analyze({});
    const a2 = await analyze({ activationBits: 2 });
    expect(a2.activationsOnly).toBeLessThanOrEqual(a2.weightsOnly);
    expect(a2.layers.every((l) => l.activationBits === 2)).toBe(true);
    a2.layers.forEach((l, i) => expect(l.outputSqnrDb).toBeLessThan(a8.layers[i]!.outputSqnrDb));
  });

  it('refuses a variant without activation grids (weight-only PTQ), clearly', async () => {
    const handle = await runPtq(
      testContext(data, cnn.model),
      cnn,
      ptqParamsWith({ mode: 'weight-only' }),
    );
    await expect(
      analyzeQuantization('v', handle, data.validation, data.inputShape),
    ).rejects.toThrow(StageError);
    await expect(
      analyzeQuantization('v', handle, data.validation, data.inputShape),
    ).rejects.toThrow(/static PTQ or QAT/);
    disposeHandle(handle);
  });
});
