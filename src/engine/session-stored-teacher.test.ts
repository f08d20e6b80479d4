import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { EngineSession } from './session';
import { findPreset } from '../experiment/presets';
import type { RunEvent } from './pipeline/runner';
import { newSession } from './session-cancel-support';

/** Artifacts saved under 'mem://…' URLs (a stand-in for IndexedDB in Node). */
const saved = new Map<string, tf.io.ModelArtifacts>();
// tfjs asks every router and takes the ones that do not answer null (its type omits the null).
const memoryRouter = (url: string | string[]): tf.io.IOHandler => {
  if (typeof url !== 'string' || !url.startsWith('mem://'))
    return null as unknown as tf.io.IOHandler;
  return {
    save: async (artifacts: tf.io.ModelArtifacts) => {
      saved.set(url, artifacts);
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' as const } };
    },
    load: async () => {
      const artifacts = saved.get(url);
      if (!artifacts) throw new Error(`nothing saved at ${url}`);
      // A slow store: the load is still under way when Run all arrives.
      await new Promise((resolve) => setTimeout(resolve, 50));
      return artifacts;
    },
  };
};

const experiment = { ...findPreset('moons-tiny')!.experiment, variants: [] };
/** A session that has trained the experiment's teacher (once, for both tests). */
let trained: EngineSession;

beforeAll(async () => {
  await tf.setBackend('cpu');
  tf.io.registerSaveRouter(memoryRouter);
  tf.io.registerLoadRouter(memoryRouter);
  trained = newSession();
  await trained.runAll(
    experiment,
    () => {},
    () => {},
    () => {},
  );
});

describe('EngineSession stored teacher', () => {
  it('a Run all that arrives while the stored teacher loads reuses it instead of training', async () => {
    const meta = await trained.saveTeacher(experiment, 'mem://teacher');
    expect(meta).not.toBeNull();

    // A reloaded page: a fresh session gets the stored teacher, and Run all follows at once.
    const second = newSession();
    const loading = second.loadTeacher(experiment, meta!, 'mem://teacher');
    const teacherSteps: number[] = [];
    const events: RunEvent[] = [];
    await second.runAll(
      experiment,
      (source, record) => {
        if (source === 'teacher') teacherSteps.push(record.step);
      },
      () => {},
      (e) => events.push(e),
    );
    expect(await loading).toBe(true);
    expect(teacherSteps).toEqual([]);
    const teacherEvent = events.find((e) => e.kind === 'teacher');
    expect(teacherEvent).toMatchObject({ teacher: meta!.outcome });
  });

  it('a stored teacher that cannot be read leaves Run all to train a new one', async () => {
    const session = newSession();
    const meta = { outcome: trained.teacherOutcome! };
    await expect(session.loadTeacher(experiment, meta, 'mem://missing')).rejects.toThrow(
      /nothing saved/,
    );
    let steps = 0;
    await session.runAll(
      experiment,
      (source) => {
        if (source === 'teacher') steps++;
      },
      () => {},
      () => {},
    );
    expect(steps).toBeGreaterThan(0);
  });
});
