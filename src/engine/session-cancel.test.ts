import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { RunCancelledError } from './train/control';

import {
  REQUIRED_PHASES,
  cancelAtEach,
  cancelPoints,
  fullRunWithPhases,
  newSession,
  pipeline,
  runAll,
  watchCheckpoints,
} from './session-cancel-support';

/**
 * Cancel anywhere, leak nothing: Run all and the teacher scans are cancelled at their
 * checkpoints (every await where a cancel can land), and runs that diverge or whose stages
 * throw end the same way; once the session's models are released, exactly the tensors there
 * were before the run remain.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EngineSession: cancel anywhere, leak nothing', () => {
  it('Run all cancelled at any checkpoint (even-numbered points) frees every tensor with the models', async () => {
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;

    // One run to the end: how many checkpoints it passes, and where each one is.
    const { full, phases, total } = await fullRunWithPhases(session);
    expect(full.error).toBeNull();
    expect(full.events.filter((e) => e.kind === 'error')).toEqual([]);
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
    expect(phases).toHaveLength(total);
    // Every kind of stage and step is reached; a conversion's agreement check is the last
    // checkpoint of its calibration's phase.
    for (const phase of REQUIRED_PHASES) expect(phases).toContain(phase);

    // The even-numbered cancel points; session-cancel-odd.test.ts takes the odd ones, so the
    // two halves run in parallel.
    const points = cancelPoints(phases, 8).filter((_, i) => i % 2 === 0);
    const { wrong, leaks } = await cancelAtEach(session, points, phases, baseline);
    expect(wrong).toEqual([]);
    expect(leaks).toEqual([]);
    expect(points.length).toBeGreaterThan(total / 16);

    // A cancel just after the teacher's training (while it is measured) ends the run too: the
    // variants run under a control of their own, which must not start.
    const teacherEnd = phases.indexOf('teacher:trained');
    const passed = watchCheckpoints(undefined, (n) => {
      if (n === teacherEnd) session.cancel();
    });
    const { error, events } = await runAll(session, pipeline);
    vi.restoreAllMocks();
    expect(error).toBeInstanceOf(RunCancelledError);
    expect(passed()).toBe(teacherEnd + 2);
    expect(events).toEqual([]);
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);

    // A cancel while a variant is measured (no checkpoint there) stops the run at the next
    // variant's first checkpoint; after the last variant's measurement there is none left.
    for (const which of ['first', 'last'] as const) {
      let measured = 0;
      const variants = full.events.filter((e) => e.kind === 'measuring').length;
      const { error, events } = await runAll(session, pipeline, {
        onEvent: (event) => {
          if (event.kind !== 'measuring') return;
          measured++;
          if (which === 'first' ? measured === 1 : measured === variants) session.cancel();
        },
      });
      expect(error).toEqual(which === 'first' ? new RunCancelledError() : null);
      expect(events.filter((e) => e.kind === 'result')).toHaveLength(
        which === 'first' ? 1 : variants,
      );
      session.releaseModels();
      expect(tf.memory().numTensors).toBe(baseline);
    }
  }, 480_000);

  it('the sensitivity scans cancelled at any checkpoint keep only the teacher', async () => {
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    await session.trainTeacher(
      pipeline,
      () => {},
      () => {},
    );
    const withTeacher = tf.memory().numTensors;
    const scans = [
      () => session.sensitivity(pipeline, undefined, () => {}),
      () => session.quantSensitivity(pipeline, undefined, () => {}),
    ];
    for (const scan of scans) {
      const count = watchCheckpoints();
      await scan();
      vi.restoreAllMocks();
      const total = count();
      expect(total).toBeGreaterThan(10);
      expect(tf.memory().numTensors).toBe(withTeacher);
      for (let k = 0; k < total; k++) {
        watchCheckpoints((n) => {
          if (n === k) session.cancel();
        });
        await expect(scan()).rejects.toBeInstanceOf(RunCancelledError);
        vi.restoreAllMocks();
        expect(session.control).toBeNull();
        expect(tf.memory().numTensors, `scan cancelled at ${k}`).toBe(withTeacher);
      }
    }
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
