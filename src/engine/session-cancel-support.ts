import * as tf from '@tensorflow/tfjs';
import { vi } from 'vitest';
import type { Experiment } from '../experiment/schema';
import { experimentSchema } from '../experiment/schema';
import { findPreset } from '../experiment/presets';
import { makeSyntheticDataset } from './data/synthetic';
import { loadTechniqueStage } from './pipeline/registry';
import type { StageLoader } from './pipeline/registry';
import type { RunEvent } from './pipeline/runner';
import type { EpochRecord } from './train/loop';
import { EngineSession } from './session';
import { RunCancelledError, RunControl } from './train/control';

/** Shared set-up of session-cancel*.test.ts and session-failures.test.ts. */

export const tiny = findPreset('tiny-pipeline')!.experiment;
/** The tiny preset plus distillation with feature terms (FitNets hint, relations): every loop. */
export const pipeline = experimentSchema.parse({
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

export function newSession(stages: StageLoader = loadTechniqueStage): EngineSession {
  return new EngineSession(async (spec, seed) => makeSyntheticDataset(spec, seed), stages);
}

/**
 * Calls `before(n)` ahead of the n-th RunControl.checkpoint (0-based) and `after(n)` once it
 * has passed; returns the number of checkpoints reached.
 */
export function watchCheckpoints(
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
export const TRAINING_VARIANTS = [
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
export function errorsOf(events: readonly RunEvent[]): string[] {
  const what = /diverged|\w+ failed|the device was lost|fewer than the \d+ centroids/;
  return events.flatMap((e) =>
    e.kind === 'error' ? [`${e.variantId}: ${what.exec(e.message)?.[0] ?? e.message}`] : [],
  );
}

/** What a run reports besides steps: its events and the teacher's epochs. */
export interface RunHooks {
  onEvent?: (event: RunEvent) => void;
  onEpoch?: (record: EpochRecord) => void;
}

/** Runs Run all, collecting its events; what it throws is returned, not thrown. */
export async function runAll(
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
export function phaseTracker(epochs: number): RunHooks & { phase: () => string } {
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
export function cancelPoints(phases: readonly string[], stride: number): number[] {
  const points = new Set<number>([0, phases.length - 1]);
  phases.forEach((phase, k) => {
    if (k % stride === 0 || phase !== phases[k - 1] || phase !== phases[k + 1]) points.add(k);
  });
  return [...points].sort((a, b) => a - b);
}

/** The phases every full Run all of `pipeline` must reach (a changed preset must keep the tests meaningful). */
export const REQUIRED_PHASES = [
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
];

/** One Run all to the end, watched: its result and the phase at each checkpoint it passed. */
export async function fullRunWithPhases(session: EngineSession) {
  const tracker = phaseTracker(pipeline.teacher.training.epochs);
  const phases: string[] = [];
  const count = watchCheckpoints(() => phases.push(tracker.phase()));
  const full = await runAll(session, pipeline, tracker);
  vi.restoreAllMocks();
  return { full, phases, total: count() };
}

/**
 * Run all cancelled at each of `points` in turn (checkpoint indices): for each, whether the cancel
 * landed there and ended the run, and the tensors left once the models are released.
 */
export async function cancelAtEach(
  session: EngineSession,
  points: readonly number[],
  phases: readonly string[],
  baseline: number,
): Promise<{ wrong: string[]; leaks: string[] }> {
  const wrong: string[] = [];
  const leaks: string[] = [];
  for (const k of points) {
    const passed = watchCheckpoints((n) => {
      if (n === k) session.cancel();
    });
    const { error } = await runAll(session, pipeline);
    vi.restoreAllMocks();
    // The cancel lands at that very checkpoint and ends the whole run.
    const where = `${k} (${phases[k]})`;
    if (!(error instanceof RunCancelledError)) wrong.push(`${where}: ended with ${String(error)}`);
    if (passed() !== k + 1) wrong.push(`${where}: passed ${passed()} checkpoints`);
    if (session.control !== null) wrong.push(`${where}: the control stayed`);
    session.releaseModels();
    const leaked = tf.memory().numTensors - baseline;
    if (leaked !== 0) leaks.push(`${where}: ${leaked} tensors`);
  }
  return { wrong, leaks };
}
