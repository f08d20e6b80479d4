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
      return { teacher: null, variants: [] };
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
