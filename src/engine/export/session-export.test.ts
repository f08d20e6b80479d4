import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../../experiment/presets';
import type { Experiment } from '../../experiment/schema';
import { experimentSchema } from '../../experiment/schema';
import { makeSyntheticDataset } from '../data/synthetic';
import { loadTechniqueStage } from '../pipeline/registry';
import { EngineSession } from '../session';
import { evaluate } from '../train/evaluate';
import { loadExported } from './artifacts';
import type { RunEvent } from '../pipeline/runner';
import { resultsFrom } from '../network/test-fixtures';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = findPreset('moons-tiny')!.experiment;
const experiment: Experiment = experimentSchema.parse({
  ...base,
  dataset: { ...base.dataset, trainSize: 200, testSize: 100 },
  teacher: { ...base.teacher, training: { ...base.teacher.training, epochs: 2 } },
  variants: [
    {
      id: 'int8',
      name: 'INT8 PTQ',
      source: 'teacher',
      stages: [
        {
          technique: 'ptq',
          params: { mode: 'weight-only', weightBits: 8, granularity: 'per-tensor' },
        },
      ],
    },
    {
      id: 'dyn',
      name: 'INT8 dynamic PTQ',
      source: 'teacher',
      stages: [{ technique: 'ptq', params: { mode: 'dynamic' } }],
    },
  ],
});

const newSession = () =>
  new EngineSession(async (spec, seed) => makeSyntheticDataset(spec, seed), loadTechniqueStage);

describe('EngineSession export / import', () => {
  it('an imported teacher is reused by runAll (no training) with the same accuracy', async () => {
    const first = newSession();
    const trained = await first.trainTeacher(
      experiment,
      () => {},
      () => {},
    );
    const artifacts = await first.exportTeacher();

    const second = newSession();
    await second.importTeacher(artifacts, experiment, trained);
    let teacherSteps = 0;
    const events: RunEvent[] = [];
    await second.runAll(
      experiment,
      (source) => {
        if (source === 'teacher') teacherSteps++;
      },
      () => {},
      (e) => events.push(e),
    );
    const result = resultsFrom(events);
    expect(teacherSteps).toBe(0);
    expect(result.teacher!.accuracy).toBe(trained.accuracy);
    const data = second.dataset!;
    const evaluation = await evaluate(
      (x) => second.teacher!.predict(x) as tf.Tensor,
      data.test,
      data.inputShape,
      data.numClasses,
    );
    expect(evaluation.accuracy).toBe(trained.accuracy);

    // The weight-only int8 variant exports its own codes as uint8 kernels and loads in stock
    // tfjs; it computes exactly what was measured: the same prediction on every test example.
    const exported = await second.exportModel('int8');
    const kernels = exported.weightSpecs.filter((s) => s.name.endsWith('/kernel'));
    expect(kernels.every((s) => s.quantization?.dtype === 'uint8')).toBe(true);
    expect(exported.notes).toEqual([]);
    const loaded = await loadExported(exported);
    const loadedEval = await evaluate(
      (x) => loaded.predict(x) as tf.Tensor,
      data.test,
      data.inputShape,
      data.numClasses,
    );
    const measured = events.find((e) => e.kind === 'result' && e.variantId === 'int8');
    if (measured?.kind !== 'result') throw new Error('no result for int8');
    expect(Array.from(loadedEval.predictions)).toEqual(Array.from(measured.predictions));
    expect(loadedEval.accuracy).toBe(measured.measurement.accuracy);
    loaded.dispose();
    // Dynamic PTQ was measured with per-batch activation grids: the download says what it lacks.
    const dynamic = await second.exportModel('dyn');
    expect(dynamic.notes?.join(' ')).toMatch(/activation quantization the app measured/);
    first.teacher?.dispose();
  });

  it('refuses a teacher that does not fit the dataset', async () => {
    const session = newSession();
    const wrong = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2 })],
    });
    const artifacts = await (async () => {
      const other = newSession();
      (other as unknown as { teacher: tf.LayersModel }).teacher = wrong;
      return other.exportTeacher();
    })();
    const before = tf.memory().numTensors;
    const outcome = {} as Parameters<EngineSession['importTeacher']>[2];
    await expect(session.importTeacher(artifacts, experiment, outcome)).rejects.toThrow(/shape/);
    expect(session.teacher).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    wrong.dispose();
  });
});
