import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../experiment/presets';
import { experimentSchema } from '../experiment/schema';
import { makeSyntheticDataset } from './data/synthetic';
import { loadTechniqueStage } from './pipeline/registry';
import type { StageLoader } from './pipeline/registry';
import type { RunEvent } from './pipeline/runner';
import { EngineSession } from './session';
import { ResourceError, outOfMemoryMessage } from './measure/memory';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = findPreset('tiny-pipeline')!.experiment;

describe('the resource guard of a run', () => {
  it('refuses a run that cannot fit before loading or training anything', async () => {
    let loads = 0;
    const session = new EngineSession(async (spec, seed) => {
      loads++;
      return makeSyntheticDataset(spec, seed);
    }, loadTechniqueStage);
    const huge = experimentSchema.parse({
      ...tiny,
      dataset: { id: 'mnist', trainSize: 60_000, testSize: 10_000 },
      teacher: {
        architecture: {
          kind: 'cnn',
          convs: [{ filters: 128, kernel: 1 }],
          dense: [1024],
          activation: 'relu',
        },
        training: { optimizer: 'adam', learningRate: 0.001, batchSize: 4096, epochs: 1 },
      },
    });
    const tensors = tf.memory().numTensors;
    const run = session.runAll(
      huge,
      () => {},
      () => {},
      () => {},
    );
    await expect(run).rejects.toThrow(ResourceError);
    await expect(
      session.runAll(
        huge,
        () => {},
        () => {},
        () => {},
      ),
    ).rejects.toThrow(/more than the 4\.0 GiB the cpu backend can hold/);
    expect(loads).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('turns an out-of-memory error in a stage into the same plain message, the rest still runs', async () => {
    const failing: StageLoader = async (technique) => {
      if (technique !== 'lowrank') return loadTechniqueStage(technique);
      return {
        run: () => Promise.reject(new RangeError('Array buffer allocation failed')),
      };
    };
    const session = new EngineSession(
      async (spec, seed) => makeSyntheticDataset(spec, seed),
      failing,
    );
    const events: RunEvent[] = [];
    await session.runAll(
      tiny,
      () => {},
      () => {},
      (e) => events.push(e),
    );
    const errors = events.filter((e) => e.kind === 'error');
    expect(errors).toEqual([
      { kind: 'error', variantId: 'lowrank', message: outOfMemoryMessage(tiny, 'cpu') },
    ]);
    expect(events.filter((e) => e.kind === 'result').length).toBeGreaterThan(5);
    session.releaseModels();
  });

  it('an out-of-memory error while loading or training the teacher ends the run with that message', async () => {
    const session = new EngineSession(async () => {
      throw new RangeError('Array buffer allocation failed');
    }, loadTechniqueStage);
    await expect(
      session.runAll(
        tiny,
        () => {},
        () => {},
        () => {},
      ),
    ).rejects.toThrow(outOfMemoryMessage(tiny, 'cpu'));
  });
});
