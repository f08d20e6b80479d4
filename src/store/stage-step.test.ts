import { describe, expect, it, vi } from 'vitest';
import type { RunEvent, StepRecord, TrainUpdate } from '../worker/protocol';

const engine = { runAll: vi.fn() };
vi.mock('./engine-client', () => ({
  getEngine: () => engine,
  restartEngine: vi.fn(),
  callback: <T>(f: T) => f,
}));

const { runAll } = await import('./run-actions');
const { useStore } = await import('./store');

const step = (s: number, totalSteps: number): StepRecord => ({
  epoch: 0,
  step: s,
  totalSteps,
  loss: 1,
  accuracy: 0.5,
  samplesPerSec: 100,
  elapsedMs: 10,
});
const stage = (stageIndex: number, status: 'running' | 'done' | 'reused'): RunEvent => ({
  kind: 'stage',
  variantId: 'v',
  stageIndex,
  status,
  label: 'prune',
});
const update = (source: string, steps: StepRecord[], events: RunEvent[] = []): TrainUpdate => ({
  source,
  steps,
  epochs: [],
  events,
});

describe('the step counter of the running stage', () => {
  it('follows the stage’s own steps and restarts at each stage', async () => {
    const seen: (unknown | undefined)[] = [];
    const look = () => seen.push(useStore.getState().variantRuns.v?.stageStep);
    engine.runAll.mockImplementation(async (_experiment, onUpdate: (u: TrainUpdate) => void) => {
      onUpdate(update('teacher', [step(0, 5)], [stage(0, 'running')]));
      look(); // the teacher's steps are not the variant's
      onUpdate(update('v', [step(0, 30), step(1, 30)]));
      look();
      onUpdate(update('v', [step(29, 30)], [stage(0, 'done')]));
      look(); // the finished stage keeps its last step
      onUpdate(update('v', [], [stage(1, 'running')]));
      look(); // a new stage starts from nothing
      onUpdate(update('v', [step(3, 8)]));
      look();
    });
    await runAll();
    expect(seen).toEqual([
      null,
      { step: 1, totalSteps: 30 },
      { step: 29, totalSteps: 30 },
      null,
      { step: 3, totalSteps: 8 },
    ]);
    expect(useStore.getState().variantRuns.v?.stageIndex).toBe(1);
  });
});

describe('results reach the store by one channel', () => {
  it('the teacher and each row come as run events; the resolved run adds nothing', async () => {
    const measurement = {
      variant: 'INT8',
      pipeline: 'teacher → ptq',
      accuracy: 0.9,
      sizeBytes: 10,
      gzipBytes: null,
      params: 1,
      macs: 1,
      effectiveMacs: 1,
      latencyB1MedianMs: null,
      latencyB1P90Ms: null,
      latencyB32MedianMs: null,
      latencyB32P90Ms: null,
      note: '',
    };
    const teacher = {
      key: 'k',
      accuracy: 0.95,
      confusion: [1],
      numClasses: 1,
      params: 1,
      steps: 1,
      elapsedMs: 1,
      samplesPerSec: 1,
      backend: 'cpu' as const,
      epochs: [],
      measurement: { ...measurement, variant: 'teacher' },
    };
    const seen: string[] = [];
    engine.runAll.mockImplementation(async (_experiment, onUpdate: (u: TrainUpdate) => void) => {
      onUpdate(update('teacher', [], [{ kind: 'teacher', teacher }]));
      seen.push(`teacher ${useStore.getState().teacher?.key}`);
      const predictions = new Uint8Array(1);
      onUpdate(update('v', [], [{ kind: 'result', variantId: 'v', measurement, predictions }]));
      seen.push(
        `rows ${useStore
          .getState()
          .results.map((r) => r.variant)
          .join()}`,
      );
      // Whatever the call resolves with is ignored: only events carry results.
      return { teacher: null, variants: [{ ...measurement, variant: 'ghost' }] };
    });
    await runAll();
    expect(seen).toEqual(['teacher k', 'rows INT8']);
    expect(useStore.getState().teacher?.key).toBe('k');
    expect(useStore.getState().results.map((r) => r.variant)).toEqual(['INT8']);
    expect(useStore.getState().run.status).toBe('done');
  });
});
