import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { experimentSchema } from '../experiment/schema';
import type { Stage } from '../experiment/stages';
import { expandVariants } from '../experiment/expand';
import { loadTechniqueStage } from './pipeline/registry';
import type { StageLoader } from './pipeline/registry';
import { TrainingDivergedError } from './train/control';

import {
  pipeline,
  newSession,
  TRAINING_VARIANTS,
  errorsOf,
  runAll,
} from './session-cancel-support';

/**
 * Runs that diverge, or whose stages, measurements or training steps throw, end like a cancel:
 * once the session's models are released, exactly the tensors there were before remain.
 */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EngineSession: failures leak nothing', () => {
  it('a diverging teacher or stage frees every tensor with the models', async () => {
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    const training = { ...pipeline.teacher.training, learningRate: 1e30 };
    const teacherRun = await runAll(session, {
      ...pipeline,
      teacher: { ...pipeline.teacher, training },
    });
    expect(teacherRun.error).toBeInstanceOf(TrainingDivergedError);
    expect(session.teacher).toBeNull();
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);

    // Every stage that trains, at a learning rate that blows up: each variant reports it.
    const variants = pipeline.variants.map((v) => ({
      ...v,
      stages: v.stages.map((s) =>
        'learningRate' in s.params
          ? ({ ...s, params: { ...s.params, learningRate: 1e30 } } as Stage)
          : s,
      ),
    }));
    const stageRun = await runAll(session, { ...pipeline, variants });
    expect(stageRun.error).toBeNull();
    expect(errorsOf(stageRun.events)).toEqual(TRAINING_VARIANTS.map((id) => `${id}: diverged`));
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('stages that throw free every tensor with the models', async () => {
    // Every real stage, its first step or progress report throwing from inside it: by then it
    // holds its new model (and optimizer, calibration batch …).
    const failing: StageLoader = async (technique) => {
      const stage = await loadTechniqueStage(technique);
      const fail = () => {
        throw new Error(`${technique} failed`);
      };
      return {
        run: (ctx, input, params) =>
          stage.run({ ...ctx, onStep: fail, onProgress: fail }, input, params),
      };
    };
    const session = newSession(failing);
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    const { error, events } = await runAll(session, pipeline);
    expect(error).toBeNull();
    expect(errorsOf(events)).toEqual(
      expandVariants(pipeline).map((v) => `${v.id}: ${v.stages[0]!.technique} failed`),
    );
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);

    // Parameters a stage refuses (a StageError), on the teacher and on a fresh student.
    const refused = newSession();
    const share = { technique: 'share', params: { bits: 6 } };
    const student = { kind: 'mlp', hidden: [6], activation: 'relu' };
    const tooMany = experimentSchema.parse({
      ...pipeline,
      variants: [
        { id: 'teacher-64', name: '64 centroids', stages: [share] },
        { id: 'student-64', name: '64 centroids', source: 'student', student, stages: [share] },
      ],
    });
    const refusedRun = await runAll(refused, tooMany);
    expect(refusedRun.error).toBeNull();
    expect(errorsOf(refusedRun.events)).toEqual([
      'teacher-64: fewer than the 64 centroids',
      'student-64: fewer than the 64 centroids',
    ]);
    refused.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a model that fails while it is measured frees every tensor with the models', async () => {
    // PTQ's converted model failing at its first predict (the accuracy pass, dynamic) or at its
    // second (the latency runs, static), as a lost GPU device or an engine fault would.
    const failAt: Record<string, number> = { dynamic: 0, static: 1 };
    const failing: StageLoader = async (technique) => {
      const stage = await loadTechniqueStage(technique);
      return {
        run: async (ctx, input, params) => {
          const handle = await stage.run(ctx, input, params);
          const mode = (params as { mode?: string }).mode ?? '';
          const predict = handle.predict;
          if (technique !== 'ptq' || !predict || failAt[mode] === undefined) return handle;
          let calls = 0;
          return {
            ...handle,
            predict: (x) => {
              const logits = predict(x);
              if (calls++ !== failAt[mode]) return logits;
              logits.dispose();
              throw new Error('the device was lost');
            },
          };
        },
      };
    };
    const session = newSession(failing);
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    const ptq = pipeline.variants.filter((v) => v.id.startsWith('ptq'));
    const { error, events } = await runAll(session, { ...pipeline, variants: ptq });
    expect(error).toBeNull();
    expect(errorsOf(events)).toEqual(['ptq-dyn: the device was lost']);
    const results = events.flatMap((e) => (e.kind === 'result' ? [e] : []));
    expect(results.map((r) => r.variantId)).toEqual(['ptq-static']);
    expect(results[0]!.measurement.note).toMatch(/Latency could not be measured/);
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a training step that throws frees every tensor with the models', async () => {
    // Every forward pass in training mode fails inside the step, as on a lost GPU device (out of
    // memory would be reported as a ResourceError): first the teacher's, then each stage's.
    const apply = tf.layers.Layer.prototype.apply;
    const failTraining = () =>
      vi.spyOn(tf.layers.Layer.prototype, 'apply').mockImplementation(function (
        this: tf.layers.Layer,
        inputs,
        kwargs,
      ) {
        if (kwargs?.['training'] === true) throw new Error('the device was lost');
        return apply.call(this, inputs, kwargs);
      });
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    failTraining();
    const teacherRun = await runAll(session, pipeline);
    expect(teacherRun.error).toEqual(new Error('the device was lost'));
    expect(tf.memory().numTensors).toBe(baseline);
    vi.restoreAllMocks();
    await session.trainTeacher(
      pipeline,
      () => {},
      () => {},
    );
    failTraining();
    const { error, events } = await runAll(session, pipeline);
    expect(error).toBeNull();
    expect(errorsOf(events)).toEqual(TRAINING_VARIANTS.map((id) => `${id}: the device was lost`));
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('a float model that fails while its path is chosen frees every tensor', async () => {
    // Every float predict at batch 32 (the runs that pick tfjs or our f32 engine) fails, once
    // the masks of a pruned variant are baked into a model of its own.
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;
    await session.trainTeacher(
      pipeline,
      () => {},
      () => {},
    );
    const predict = tf.LayersModel.prototype.predict;
    vi.spyOn(tf.LayersModel.prototype, 'predict').mockImplementation(function (
      this: tf.LayersModel,
      x,
      args,
    ) {
      if (!Array.isArray(x) && x.shape[0] === 32) throw new Error('the device was lost');
      return predict.call(this, x, args);
    });
    const pruned = pipeline.variants.filter((v) => v.id === 'pruned' || v.id === 'structured');
    const { error, events } = await runAll(session, { ...pipeline, variants: pruned });
    expect(error).toBeNull();
    expect(errorsOf(events)).toEqual(
      ['pruned', 'fp32-control-1', 'structured'].map((id) => `${id}: the device was lost`),
    );
    vi.restoreAllMocks();
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
