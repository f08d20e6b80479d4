import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec } from '../../../experiment/schema';
import type { Dataset } from '../../../engine/data/types';
import { zeroUnits } from '../structured';
import { STRUCTURED_NOTE, runPrune } from './prune';
import {
  CNN,
  bars,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';
import { layerActivations, planRemovals } from './structured-stage';
import type { NamedLayer } from '../../../engine/network/layers';
import { buildFromLayers, extractLayers } from '../../../engine/network/layer-ir';
import { StageError } from '../../../engine/network/stage-types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The masked equivalent of a removal plan: same shapes, removed units' columns and biases 0. */
function zeroedModel(
  layers: NamedLayer[],
  plan: { index: number; units: number[] }[],
  data: Dataset,
) {
  let zeroed = [...layers];
  for (const { index, units } of plan) {
    const prev = zeroed;
    zeroed = zeroUnits(prev, index, units).map((l, i) => ({ ...l, name: prev[i]!.name }));
  }
  return buildFromLayers(zeroed, data.inputShape);
}

function maxDiff(a: tf.LayersModel, b: tf.LayersModel, x: tf.Tensor): number {
  return tf.tidy(
    () =>
      tf.max(tf.abs(tf.sub(a.predict(x) as tf.Tensor, b.predict(x) as tf.Tensor))).dataSync()[0]!,
  );
}

const kernelShapes = (model: tf.LayersModel) =>
  model.layers.flatMap((l) => (l.getWeights()[0] ? [l.getWeights()[0]!.shape] : []));

describe('prune stage: structured', () => {
  it('shrinks a sigmoid MLP and matches the zeroed model before fine-tuning', async () => {
    const spec: ArchitectureSpec = { kind: 'mlp', hidden: [16, 8], activation: 'sigmoid' };
    const data = blobs();
    const teacher = await trainedTeacher(spec, data);
    const before = weightValues(teacher.model);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({ kind: 'structured', criterion: 'l2', finetuneEpochs: 0 });
    const out = await runPrune(testContext(data, teacher.model), teacher, params);

    expect(kernelShapes(out.model)).toEqual([
      [2, 8],
      [8, 4],
      [4, 3],
    ]);
    expect(out.macs).toBe(2 * 8 + 8 * 4 + 4 * 3);
    expect(out.effectiveMacs).toBeLessThanOrEqual(out.macs);
    expect(out.macs).toBeLessThan(teacher.macs);
    const params32 = (s: typeof out.storage) =>
      s.reduce((n, t) => n + t.shape.reduce((a, b) => a * b, 1), 0);
    expect(params32(out.storage)).toBe(2 * 8 + 8 + 8 * 4 + 4 + 4 * 3 + 3);
    expect(params32(out.storage)).toBeLessThan(params32(teacher.storage));
    expect(out.notes).toEqual([STRUCTURED_NOTE]);
    expect(out.label).toBe('prune 50% units (l2)');

    const layers = extractLayers(teacher.model);
    const plan = planRemovals(layers, [8, 4], 'l2');
    // dense1's removed units are its 8 columns of smallest √Σw².
    const d1 = layers[0]!;
    if (d1.kind !== 'dense') throw new Error('expected dense');
    const norms = Array.from({ length: 16 }, (_, u) =>
      Math.hypot(d1.kernel[u]!, d1.kernel[16 + u]!),
    );
    const smallest = [...norms.keys()].sort((a, b) => norms[a]! - norms[b]!).slice(0, 8);
    expect(plan[0]!.units).toEqual(smallest.sort((a, b) => a - b));
    // σ(0) = 0.5 of the removed units is folded into the next bias: outputs match exactly.
    const zeroed = zeroedModel(layers, plan, data);
    const x = tf.tensor2d(data.test.x.subarray(0, 40), [20, 2]);
    expect(maxDiff(out.model, zeroed, x)).toBeLessThan(1e-5);
    expect(maxDiff(out.model, teacher.model, x)).toBeGreaterThan(1e-3);
    tf.dispose(x);
    zeroed.dispose();

    expect(weightValues(teacher.model)).toEqual(before);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });

  it('removes conv filters by mean activation and rewires flatten → dense', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 3);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({
      kind: 'structured',
      criterion: 'activation',
      finetuneEpochs: 0,
    });
    const ctx = testContext(data, teacher.model);
    const out = await runPrune(ctx, teacher, params);

    // conv 4 → 2 filters: 6·6·9·1·2 = 648 MACs; pool 3×3×2 = 18 inputs; dense 8 → 4; logits 4·2.
    expect(kernelShapes(out.model)).toEqual([
      [3, 3, 1, 2],
      [18, 4],
      [4, 2],
    ]);
    expect(out.macs).toBe(648 + 18 * 4 + 4 * 2);
    const layers = extractLayers(teacher.model);
    const activations = await layerActivations(layers, data.inputShape, data.train, ctx.seed);
    expect(activations.get('conv1')).toHaveLength(Math.min(128, data.train.count) * 6 * 6 * 4);
    const plan = planRemovals(layers, [2, 4], 'activation', activations);
    // This seed's teacher ranks units differently by activation than by weight norm.
    expect(planRemovals(layers, [2, 4], 'l1')).not.toEqual(plan);
    const zeroed = zeroedModel(layers, plan, data);
    const x = tf.tensor4d(data.test.x.subarray(0, 10 * 64), [10, 8, 8, 1]);
    expect(maxDiff(out.model, zeroed, x)).toBeLessThan(1e-5);
    tf.dispose(x);
    zeroed.dispose();
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });

  it('iterative rounds fine-tune between removals and end at the one-shot shape', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(
      { kind: 'mlp', hidden: [16, 8], activation: 'relu' },
      data,
      2,
    );
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({
      kind: 'structured',
      schedule: 'iterative',
      rounds: 2,
      sparsity: 0.75,
    });
    const ctx = testContext(data, teacher.model);
    const out = await runPrune(ctx, teacher, params);
    expect(kernelShapes(out.model)).toEqual([
      [2, 4],
      [4, 2],
      [2, 3],
    ]);
    expect(ctx.steps.map((s) => s.step)).toEqual([...Array(12).keys()]);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });

  it('refuses to remove every unit of a layer, or a model without hidden layers', async () => {
    const data = blobs(30, 30);
    const narrow = await trainedTeacher({ kind: 'mlp', hidden: [2], activation: 'relu' }, data, 1);
    const flat = await trainedTeacher({ kind: 'mlp', hidden: [], activation: 'relu' }, data, 1);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, narrow.model);
    // round(0.8 · 2) = 2: nothing of dense1 would be left.
    const params = pruneParamsWith({ kind: 'structured', sparsity: 0.8 });
    await expect(runPrune(ctx, narrow, params)).rejects.toThrow(StageError);
    await expect(runPrune(ctx, narrow, params)).rejects.toThrow(
      /2 units of dense1 would remove all of them/,
    );
    await expect(runPrune(ctx, flat, params)).rejects.toThrow(/no hidden layer/);
    expect(tf.memory().numTensors).toBe(tensors);
    narrow.model.dispose();
    flat.model.dispose();
  });
});
