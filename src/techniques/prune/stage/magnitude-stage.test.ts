import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { finetune } from './pruned-handle';
import {
  MLP,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
} from '../../../engine/network/test-fixtures';
import {
  buildMaskedModel,
  computeMasks,
  gradualSchedule,
  maskedLayersOf,
  pruneModelTo,
  roundSparsities,
} from './magnitude-stage';
import { buildFromLayers, extractLayers } from '../../../engine/network/layer-ir';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('masked pruning helpers', () => {
  it('plans the gradual ramp: ends at 75 % of the steps, ~20 updates', () => {
    expect(gradualSchedule(100, 0.5)).toEqual({
      initialSparsity: 0,
      finalSparsity: 0.5,
      beginStep: 0,
      endStep: 75,
      frequency: 5,
    });
    expect(gradualSchedule(12, 0.6)).toMatchObject({ endStep: 9, frequency: 1 });
    // Two steps: prune fully before the second so at least one step trains at s_f.
    expect(gradualSchedule(2, 0.6)).toMatchObject({ endStep: 1, frequency: 1 });
    expect(gradualSchedule(1, 0.6)).toBeNull();
  });

  it('iterative targets 1 − (1 − s)^(k/K), the last exactly s', () => {
    expect(roundSparsities(0.875, 3).map((s) => Number(s.toFixed(12)))).toEqual([0.5, 0.75, 0.875]);
    expect(roundSparsities(0.3, 7).at(-1)).toBe(0.3);
  });

  it('computes layer-wise, global and N:M masks by hand', () => {
    const a = { values: Float32Array.from([0.1, -3, 0.2, 4]), shape: [4, 1] };
    const b = { values: Float32Array.from([-0.05, 5]), shape: [2, 1] };
    const layer = computeMasks([a, b], { kind: 'magnitude', scope: 'layer', n: 2, m: 4 }, 0.5);
    expect(layer.map((m) => Array.from(m))).toEqual([
      [0, 1, 0, 1],
      [0, 1],
    ]);
    // Global 50 % of 6 weights: the 3 smallest |w| overall are 0.05, 0.1, 0.2.
    const global = computeMasks([a, b], { kind: 'magnitude', scope: 'global', n: 2, m: 4 }, 0.5);
    expect(global.map((m) => Array.from(m))).toEqual([
      [0, 1, 0, 1],
      [0, 1],
    ]);
    const g2 = computeMasks([a, b], { kind: 'magnitude', scope: 'global', n: 2, m: 4 }, 2 / 3);
    expect(g2.map((m) => Array.from(m))).toEqual([
      [0, 0, 0, 1],
      [0, 1],
    ]);
    const nm = computeMasks([a], { kind: 'nm', scope: 'layer', n: 1, m: 2 }, 0);
    expect(Array.from(nm[0]!)).toEqual([0, 1, 0, 1]);
  });

  it('keeps masked weights exactly zero while fine-tuning moves the kept ones', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data, 2);
    const tensors = tf.memory().numTensors;
    const layers = extractLayers(teacher.model);
    const model = buildMaskedModel(layers, data.inputShape);
    // Same outputs as the teacher before pruning (masks all ones).
    const x = tf.tensor2d([
      [0.2, -0.4],
      [1, 1],
    ]);
    const expectClose = (a: tf.Tensor, b: tf.Tensor): void => {
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-5);
    };
    tf.tidy(() =>
      expectClose(model.predict(x) as tf.Tensor, teacher.model.predict(x) as tf.Tensor),
    );

    const params = pruneParamsWith({ sparsity: 0.6, finetuneEpochs: 2 });
    await pruneModelTo(model, params, 0.6);
    const pruned = maskedLayersOf(model).map((l) => l.maskedKernelValues());
    await finetune(testContext(data, teacher.model), model, params);
    maskedLayersOf(model).forEach((layer, i) => {
      const mask = layer.getMask();
      const effective = layer.maskedKernelValues();
      let moved = 0;
      mask.forEach((m, j) => {
        if (m === 0) expect(Object.is(effective[j], 0) || Object.is(effective[j], -0)).toBe(true);
        else if (effective[j] !== pruned[i]![j]) moved++;
      });
      expect(moved).toBeGreaterThan(0);
      expect(mask.reduce((n, m) => n + (m === 0 ? 1 : 0), 0)).toBe(Math.round(0.6 * mask.length));
    });
    // The forward pass uses kernel ⊙ mask: a plain model of the effective kernels matches it.
    const plain = buildFromLayers(extractLayers(model), data.inputShape);
    tf.tidy(() => expectClose(model.predict(x) as tf.Tensor, plain.predict(x) as tf.Tensor));
    tf.dispose(x);
    plain.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});
