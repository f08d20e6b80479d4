import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeSyntheticDataset } from './data/synthetic';
import { buildModel } from './network/build';
import { EngineSession } from './session';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function sessionWithTeacher() {
  const session = new EngineSession(async (spec, seed) => makeSyntheticDataset(spec, seed));
  const data = await session.ensureDataset(
    { id: 'moons', trainSize: 40, testSize: 30, noise: 0.1 },
    7,
  );
  session.teacher = buildModel(
    { kind: 'mlp', hidden: [4], activation: 'relu' },
    data.inputShape,
    data.numClasses,
    7,
  );
  return { session, data };
}

describe('EngineSession test-split readers', () => {
  it('returns test labels and 2-D points at the asked indices, at most 64', async () => {
    const { session, data } = await sessionWithTeacher();
    const labels = session.testLabels();
    expect(Array.from(labels)).toEqual(Array.from(data.test.y));
    labels[0] = 99; // a copy: the dataset is untouched
    expect(data.test.y[0]).not.toBe(99);
    const samples = session.testSamples([3, 0, -1, 500]);
    expect(samples.images).toBeNull();
    expect(samples.labels).toEqual([data.test.y[3], data.test.y[0]]);
    expect(samples.points).toEqual([
      { x: data.test.x[6], y: data.test.x[7] },
      { x: data.test.x[0], y: data.test.x[1] },
    ]);
    const many = Array.from({ length: 100 }, (_, i) => i % 30);
    expect(session.testSamples(many).labels).toHaveLength(64);
    session.teacher?.dispose();
  });

  it('gives the teacher’s argmax predictions, cached, without leaking tensors', async () => {
    const { session, data } = await sessionWithTeacher();
    const teacher = session.teacher!;
    const before = tf.memory().numTensors;
    const first = await session.teacherPredictions();
    const expected = tf.tidy(() =>
      tf.argMax(teacher.predict(tf.tensor2d(data.test.x, [data.test.count, 2])) as tf.Tensor, -1),
    );
    expect(Array.from(first)).toEqual(Array.from(await expected.data()));
    expected.dispose();
    const second = await session.teacherPredictions();
    expect(Array.from(second)).toEqual(Array.from(first));
    expect(tf.memory().numTensors).toBe(before);
    teacher.dispose();
  });
});
