import { describe, expect, it } from 'vitest';
import type { EpochRecord, RunEvent, StepRecord } from './protocol';
import { ProgressBatcher } from './throttle';

const record = (step: number): StepRecord => ({
  epoch: 0,
  step,
  totalSteps: 100,
  loss: 1,
  accuracy: 0.5,
  samplesPerSec: 10,
  elapsedMs: step,
});

describe('ProgressBatcher', () => {
  it('sends at most one batch per interval and loses no record', () => {
    let clock = 0;
    const sent: number[][] = [];
    const batcher = new ProgressBatcher(
      (u) => sent.push(u.steps.map((s) => s.step)),
      100,
      () => clock,
    );
    for (let i = 0; i < 50; i++) {
      batcher.step(record(i));
      clock += 10; // 100 steps a second
    }
    batcher.flush();
    expect(sent.length).toBeLessThanOrEqual(7);
    expect(sent.flat()).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('sends epoch results at once', () => {
    const sent: number[] = [];
    const batcher = new ProgressBatcher(
      (u) => sent.push(u.epochs.length),
      100,
      () => 0,
    );
    batcher.step(record(0));
    batcher.epoch({ epoch: 0, testAccuracy: 0.9 });
    expect(sent).toEqual([0, 1]);
  });

  it('delivered() waits for the reply to the last batch, so a run cannot end before its events', async () => {
    const replies: (() => void)[] = [];
    const batcher = new ProgressBatcher(
      () => new Promise<void>((resolve) => replies.push(resolve)),
      100,
      () => 0,
    );
    batcher.event({ kind: 'teacher' } as RunEvent);
    let done = false;
    const delivered = batcher.delivered().then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    replies[0]!();
    await delivered;
    expect(done).toBe(true);
  });

  it('a batch whose handler failed does not stop delivered()', async () => {
    const batcher = new ProgressBatcher(
      () => Promise.reject(new Error('the page dropped it')),
      100,
      () => 0,
    );
    batcher.epoch({ epoch: 0 } as EpochRecord);
    await expect(batcher.delivered()).resolves.toBeUndefined();
  });
});
