import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { runPrune } from '../../techniques/prune/stage/prune';
import { MLP, blobs, pruneParamsWith, testContext, trainedTeacher } from '../network/test-fixtures';
import { measureHandle, shippedPredictor } from './measure-variant';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('the artifact a variant ships as', () => {
  it('a pruned variant is timed and scored on a plain model with the masks baked in', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const ctx = testContext(data, teacher.model);
    const pruned = await runPrune(ctx, teacher, pruneParamsWith({ finetuneEpochs: 1 }));
    // The training model multiplies kernel ⊙ mask on every call.
    expect(pruned.model.layers.some((l) => l.getClassName().startsWith('Masked'))).toBe(true);
    const before = tf.memory().numTensors;
    const shipped = await shippedPredictor(pruned, data.inputShape);
    expect(shipped.path).toMatch(/masks baked|f32 wasm engine/);
    const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
    const a = shipped.predict(x);
    const b = pruned.model.predict(x) as tf.Tensor;
    const gap = tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
    expect(gap).toBeLessThan(1e-4);
    tf.dispose([x, a, b]);
    shipped.dispose();
    expect(tf.memory().numTensors).toBe(before); // the baked copy is freed

    const teacherRow = {
      variant: 'teacher',
      pipeline: 'teacher',
      accuracy: 1,
      sizeBytes: 1,
      gzipBytes: null,
      params: 1,
      macs: 1,
      effectiveMacs: 1,
      latencyB1MedianMs: 1,
      latencyB1P90Ms: 1,
      latencyB32MedianMs: 1,
      latencyB32P90Ms: 1,
      note: '',
    };
    const { measurement } = await measureHandle(pruned, data, 'pruned', 'teacher → prune', {
      measurement: teacherRow,
    });
    expect(measurement.note).toMatch(
      /Timed on: (dense float kernels \(tfjs\), masks baked|f32 wasm engine)/,
    );
    expect(measurement.note).toMatch(/Measured [\d.]+× the teacher's speed at batch 32/);
    expect(measurement.pairedTeacherB32MedianMs).toBeUndefined();
    // With the teacher's predict at hand, both are timed in alternation and the speedup uses it.
    const reference = await shippedPredictor(teacher, data.inputShape);
    const paired = await measureHandle(pruned, data, 'pruned', 'teacher → prune', {
      measurement: teacherRow,
      predict: reference.predict,
    });
    reference.dispose();
    const m = paired.measurement;
    expect(m.pairedTeacherB1MedianMs).toBeGreaterThan(0);
    expect(m.pairedTeacherB32MedianMs).toBeGreaterThan(0);
    expect(m.note).toMatch(
      /Measured [\d.]+× the teacher's speed at batch 32, [\d.]+× at batch 1, the teacher timed in alternation with it/,
    );
    teacher.model.dispose();
    pruned.model.dispose();
  });

  it('a plain model is timed as it is', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const shipped = await shippedPredictor(teacher, data.inputShape);
    expect(shipped.path).toMatch(/^(dense float kernels \(tfjs\)|f32 wasm engine)/);
    expect(shipped.path).not.toMatch(/masks baked/);
    shipped.dispose();
    teacher.model.dispose();
  });
});
