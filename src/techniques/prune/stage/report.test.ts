import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { applyMask, magnitudeMask } from '../magnitude';
import { RunCancelledError } from '../../../engine/train/control';
import { evaluate } from '../../../engine/train/evaluate';
import {
  MLP,
  blobs,
  testContext,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';
import { pruningReport, runSensitivity } from './report';
import type { NamedLayer } from '../../../engine/network/layers';
import { buildFromLayers, extractLayers } from '../../../engine/network/layer-ir';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function handleOf(model: tf.LayersModel): ModelHandle {
  return { model, storage: [], macs: 0, effectiveMacs: 0, notes: [], label: 'test' };
}

describe('pruningReport', () => {
  it('counts zeros per layer and bins the kept magnitudes by hand', () => {
    const layers: NamedLayer[] = [
      {
        kind: 'dense',
        name: 'dense1',
        kernel: Float32Array.from([0, 0.5, -1, 0]),
        kernelShape: [2, 2],
        bias: Float32Array.from([0, 0]),
        activation: 'relu',
      },
      {
        kind: 'dense',
        name: 'logits',
        kernel: Float32Array.from([0.25, 0, 0, 0, 0.75, 0]),
        kernelShape: [2, 3],
        bias: Float32Array.from([1, 1, 1]),
        activation: 'linear',
      },
    ];
    const model = buildFromLayers(layers, [2]);
    const tensors = tf.memory().numTensors;
    const report = pruningReport(handleOf(model));
    expect(report.layers).toEqual([
      { name: 'dense1', count: 4, nonZeros: 2, sparsity: 0.5 },
      { name: 'logits', count: 6, nonZeros: 2, sparsity: 4 / 6 },
    ]);
    expect(report.total).toEqual({ name: 'total', count: 10, nonZeros: 4, sparsity: 0.6 });
    expect(report.layer).toBe('dense1');
    expect(report.mask).toEqual({ rows: 2, cols: 2, values: Uint8Array.from([0, 1, 1, 0]) });
    expect(pruningReport(handleOf(model), 'dense1', 2).histogram).toEqual({
      edges: [0, 0.5, 1],
      kept: [0, 2],
      pruned: 2,
    });
    // logits: |w| 0.25 and 0.75 of max 0.75 in 3 bins of 0.25 → bins 1 and 2.
    const logits = pruningReport(handleOf(model), 'logits', 3);
    expect(logits.histogram.kept).toEqual([0, 1, 1]);
    expect(logits.mask.values).toEqual(Uint8Array.from([1, 0, 0, 0, 1, 0]));
    expect(() => pruningReport(handleOf(model), 'conv9')).toThrow(StageError);
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });
});

describe('runSensitivity', () => {
  it('scans each layer alone, matches a hand-pruned model, reports progress', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const before = weightValues(teacher.model);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    const table = await runSensitivity(ctx, teacher, [0, 0.5, 0.95]);

    expect(table.layers).toEqual([
      { name: 'dense1', count: 32 },
      { name: 'dense2', count: 128 },
      { name: 'logits', count: 24 },
    ]);
    const predict = (m: tf.LayersModel) => (x: tf.Tensor) => m.predict(x) as tf.Tensor;
    // Measured on the validation split, never on the test split.
    const acc = async (m: tf.LayersModel) =>
      (await evaluate(predict(m), data.validation, data.inputShape, data.numClasses)).accuracy;
    expect(table.baseline).toBe(await acc(teacher.model));
    expect(table.examples).toBe(data.validation.count);
    expect(table.drop.map((row) => row[0])).toEqual([0, 0, 0]);
    // dense2 alone at 95 %, built by hand.
    const layers = extractLayers(teacher.model);
    const d2 = layers[1]!;
    if (d2.kind !== 'dense') throw new Error('expected dense');
    const handPruned = buildFromLayers(
      layers.map((l, i) =>
        i === 1 ? { ...d2, kernel: applyMask(d2.kernel, magnitudeMask(d2.kernel, 0.95)) } : l,
      ),
      data.inputShape,
    );
    expect(table.accuracy[1]![2]).toBe(await acc(handPruned));
    expect(table.drop[1]![2]).toBeCloseTo(table.baseline - table.accuracy[1]![2]!, 12);
    handPruned.dispose();
    // 1 + 3 layers × 3 sparsities evaluations, the last at fraction 1.
    expect(ctx.progress).toHaveLength(10);
    expect(ctx.progress.at(-1)?.[0]).toBe(1);

    expect(weightValues(teacher.model)).toEqual(before);
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });

  it('never reads the test split: scrambled test labels change nothing, no validation refuses', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const scrambled = { ...data, test: { ...data.test, y: data.test.y.map((y) => (y + 1) % 3) } };
    const a = await runSensitivity(testContext(data, teacher.model), teacher, [0.5]);
    const b = await runSensitivity(testContext(scrambled, teacher.model), teacher, [0.5]);
    expect(b).toEqual(a);
    const empty = {
      ...data,
      validation: { x: new Float32Array(0), y: new Uint8Array(0), count: 0 },
    };
    await expect(runSensitivity(testContext(empty, teacher.model), teacher, [0.5])).rejects.toThrow(
      /validation split/,
    );
    teacher.model.dispose();
  });

  it('stops when cancelled and refuses a sparsity of 1', async () => {
    const data = blobs(30, 30);
    const teacher = await trainedTeacher(MLP, data, 1);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, teacher.model);
    await expect(runSensitivity(ctx, teacher, [0.5, 1])).rejects.toThrow(StageError);
    ctx.control.cancel();
    await expect(runSensitivity(ctx, teacher, [0.5])).rejects.toThrow(RunCancelledError);
    expect(ctx.progress).toHaveLength(0);
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});
