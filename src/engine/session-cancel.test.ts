import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Experiment } from '../experiment/schema';
import { experimentSchema } from '../experiment/schema';
import type { Stage } from '../experiment/stages';
import { expandVariants } from '../experiment/expand';
import { findPreset } from '../experiment/presets';
import { makeSyntheticDataset } from './data/synthetic';
import { loadTechniqueStage } from './pipeline/registry';
import type { StageLoader } from './pipeline/registry';
import type { RunEvent } from './pipeline/runner';
import type { EpochRecord } from './train/loop';
import { EngineSession } from './session';
import { RunCancelledError, RunControl, TrainingDivergedError } from './train/control';

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

const tiny = findPreset('tiny-pipeline')!.experiment;
/** The tiny preset plus distillation with feature terms (FitNets hint, relations): every loop. */
const pipeline = experimentSchema.parse({
  ...tiny,
  variants: [
    ...tiny.variants,
    {
      id: 'kd-features',
      name: 'Distilled with features',
      source: 'student',
      student: { kind: 'mlp', hidden: [6], activation: 'relu' },
      stages: [
        {
          technique: 'distill',
          params: { epochs: 1, learningRate: 0.03, hintWeight: 1, relationWeight: 1 },
        },
      ],
    },
  ],
});

function newSession(stages: StageLoader = loadTechniqueStage): EngineSession {
  return new EngineSession(async (spec, seed) => makeSyntheticDataset(spec, seed), stages);
}

/**
 * Calls `before(n)` ahead of the n-th RunControl.checkpoint (0-based) and `after(n)` once it
 * has passed; returns the number of checkpoints reached.
 */
function watchCheckpoints(
  before: (n: number) => void = () => {},
  after: (n: number) => void = () => {},
): () => number {
  const original = RunControl.prototype.checkpoint;
  let count = 0;
  vi.spyOn(RunControl.prototype, 'checkpoint').mockImplementation(async function (
    this: RunControl,
  ) {
    const n = count++;
    before(n);
    await original.call(this);
    after(n);
  });
  return () => count;
}

/** The variants of `pipeline` whose stages train. */
const TRAINING_VARIANTS = [
  'qat',
  'fp32-control-1',
  'pruned',
  'structured',
  'lowrank',
  'shared',
  'kd',
  'kd-alone',
  'kd-features',
  'kd-features-alone',
];

/** 'variant: what' for each error event, `what` the part of its message a test looks for. */
function errorsOf(events: readonly RunEvent[]): string[] {
  const what = /diverged|\w+ failed|the device was lost|fewer than the \d+ centroids/;
  return events.flatMap((e) =>
    e.kind === 'error' ? [`${e.variantId}: ${what.exec(e.message)?.[0] ?? e.message}`] : [],
  );
}

/** What a run reports besides steps: its events and the teacher's epochs. */
interface RunHooks {
  onEvent?: (event: RunEvent) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** Runs Run all, collecting its events; what it throws is returned, not thrown. */
async function runAll(
  session: EngineSession,
  experiment: Experiment,
  { onEvent = () => {}, onEpoch = () => {} }: RunHooks = {},
): Promise<{ events: RunEvent[]; error: unknown }> {
  const events: RunEvent[] = [];
  try {
    await session.runAll(
      experiment,
      () => {},
      onEpoch,
      (event) => {
        events.push(event);
        onEvent(event);
      },
    );
    return { events, error: null };
  } catch (error) {
    return { events, error };
  }
}

/**
 * What each checkpoint of a run is inside: 'teacher' ('teacher:trained' after its last epoch), or
 * 'variant/stage' followed by the last progress message (digits dropped), e.g.
 * 'ptq-static/ptq:calibrating activation ranges'.
 */
function phaseTracker(epochs: number): RunHooks & { phase: () => string } {
  let stage = 'teacher';
  let activity = '';
  return {
    phase: () => stage + activity,
    onEpoch: (record) => {
      if (record.epoch === epochs - 1) activity = ':trained';
    },
    onEvent: (event) => {
      if (event.kind === 'stage' && event.status === 'running') {
        stage = `${event.variantId}/${event.label}`;
        activity = '';
      } else if (event.kind === 'progress') {
        activity = `:${event.message.replace(/\d+/g, '#')}`;
      }
    },
  };
}

/** 0, every `stride`-th, the last, and the first and last of each run of equal phases. */
function cancelPoints(phases: readonly string[], stride: number): number[] {
  const points = new Set<number>([0, phases.length - 1]);
  phases.forEach((phase, k) => {
    if (k % stride === 0 || phase !== phases[k - 1] || phase !== phases[k + 1]) points.add(k);
  });
  return [...points].sort((a, b) => a - b);
}

describe('EngineSession: cancel anywhere, leak nothing', () => {
  it('Run all cancelled at any checkpoint frees every tensor with the models', async () => {
    const session = newSession();
    await session.ensureDataset(pipeline.dataset, pipeline.seed);
    const baseline = tf.memory().numTensors;

    // One run to the end: how many checkpoints it passes, and where each one is.
    const tracker = phaseTracker(pipeline.teacher.training.epochs);
    const phases: string[] = [];
    const count = watchCheckpoints(() => phases.push(tracker.phase()));
    const full = await runAll(session, pipeline, tracker);
    expect(full.error).toBeNull();
    expect(full.events.filter((e) => e.kind === 'error')).toEqual([]);
    vi.restoreAllMocks();
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(baseline);
    const total = count();
    expect(phases).toHaveLength(total);
    // Every kind of stage and step is reached (a changed preset must keep the test meaningful);
    // a conversion's agreement check is the last checkpoint of its calibration's phase.
    for (const phase of [
      'teacher',
      'ptq-dyn/ptq',
      'ptq-static/ptq:calibrating activation ranges',
      'qat/qat:calibrating activation ranges',
      'fp32-control-1/finetune',
      'pruned/prune',
      'structured/prune',
      'lowrank/lowrank:factored',
      'shared/share:clustered',
      'kd/distill',
      'kd-alone/finetune',
      'kd-features/distill',
    ]) {
      expect(phases).toContain(phase);
    }

    const leaks: string[] = [];
    const points = cancelPoints(phases, 8);
    for (const k of points) {
      const passed = watchCheckpoints((n) => {
        if (n === k) session.cancel();
      });
      const { error } = await runAll(session, pipeline);
      vi.restoreAllMocks();
      // The cancel lands at that very checkpoint and ends the whole run.
      expect(error, `cancelled at ${k} (${phases[k]})`).toBeInstanceOf(RunCancelledError);
      expect(passed()).toBe(k + 1);
      expect(session.control).toBeNull();
      session.releaseModels();
      const leaked = tf.memory().numTensors - baseline;
      if (leaked !== 0) leaks.push(`${k} (${phases[k]}): ${leaked} tensors`);
    }
    expect(leaks).toEqual([]);
    expect(points.length).toBeGreaterThan(total / 8);

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
  }, 240_000);

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
