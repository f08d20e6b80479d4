import { describe, expect, it } from 'vitest';
import { RunCancelledError, RunControl, TrainingDivergedError } from './control';

describe('RunControl', () => {
  it('lets a message queued as a macrotask through during a busy synchronous loop', async () => {
    const control = new RunControl(0);
    setTimeout(() => control.cancel(), 20);
    let steps = 0;
    await expect(
      (async () => {
        for (;;) {
          await control.checkpoint();
          steps++;
          const end = Date.now() + 1;
          while (Date.now() < end) {
            // a step whose compute never yields, like the cpu backend
          }
        }
      })(),
    ).rejects.toThrow(RunCancelledError);
    expect(steps).toBeGreaterThan(0);
    expect(steps).toBeLessThan(200);
  });

  it('holds a paused loop until resumed', async () => {
    const control = new RunControl(1e9);
    control.pause();
    let passed = false;
    const waiting = control.checkpoint().then(() => (passed = true));
    await new Promise((r) => setTimeout(r, 10));
    expect(passed).toBe(false);
    control.resume();
    await waiting;
    expect(passed).toBe(true);
  });

  it('words a divergence with a concrete lower rate', () => {
    expect(new TrainingDivergedError(0, 3, 0.5).message).toMatch(/step 4.*0\.05 instead of 0\.5/);
  });
});
