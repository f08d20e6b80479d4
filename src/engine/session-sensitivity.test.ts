import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../experiment/presets';
import { makeSyntheticDataset } from './data/synthetic';
import { EngineSession } from './session';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EngineSession.sensitivity', () => {
  it('needs a teacher, scans each layer of it with progress, and can be cancelled', async () => {
    const base = findPreset('tiny-pipeline')!.experiment;
    const experiment = {
      ...base,
      teacher: { ...base.teacher, training: { ...base.teacher.training, epochs: 2 } },
    };
    const session = new EngineSession(async (spec, seed) => makeSyntheticDataset(spec, seed));
    await expect(session.sensitivity(experiment, [0.5], () => {})).rejects.toThrow(
      'Train the teacher first.',
    );
    await session.trainTeacher(
      experiment,
      () => {},
      () => {},
    );
    const tensors = tf.memory().numTensors;
    const progress: number[] = [];
    const table = await session.sensitivity(experiment, [0.3, 0.9], (f) => progress.push(f));
    // 2→16→16→2 MLP: three kernels, 1 + 3·2 evaluations.
    expect(table.layers).toEqual([
      { name: 'dense1', count: 32 },
      { name: 'dense2', count: 256 },
      { name: 'logits', count: 32 },
    ]);
    expect(table.drop.map((row) => row.length)).toEqual([2, 2, 2]);
    expect(progress).toHaveLength(7);
    expect(progress.at(-1)).toBe(1);
    expect(session.control).toBeNull();
    expect(tf.memory().numTensors).toBe(tensors);

    // Cancel from the first progress report: the scan stops with RunCancelledError.
    const cancelled = session.sensitivity(experiment, [0.5], () => session.cancel());
    await expect(cancelled).rejects.toMatchObject({ name: 'RunCancelledError' });
    expect(session.control).toBeNull();
    expect(tf.memory().numTensors).toBe(tensors);
    session.teacher?.dispose();
  });
});
