import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  cancelAtEach,
  cancelPoints,
  fullRunWithPhases,
  newSession,
  pipeline,
} from './session-cancel-support';

/**
 * The other half of session-cancel.test.ts's cancel points (the odd-numbered ones), in a file of
 * its own so the two halves run in parallel: each cancelled Run all frees every tensor with the
 * models.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EngineSession: cancel anywhere, leak nothing', () => {
  it('Run all cancelled at any checkpoint (odd-numbered points) frees every tensor with the models', async () => {
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    const { full, phases, total } = await fullRunWithPhases(session);
    expect(full.error).toBeNull();
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
    const points = cancelPoints(phases, 8).filter((_, i) => i % 2 === 1);
    const { wrong, leaks } = await cancelAtEach(session, points, phases, baseline);
    expect(wrong).toEqual([]);
    expect(leaks).toEqual([]);
    expect(points.length).toBeGreaterThan(total / 16);
  }, 480_000);
});
