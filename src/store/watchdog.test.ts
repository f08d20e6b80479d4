import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Watchdog } from './watchdog';

/** A ping the test answers by hand (or never). */
function pinger() {
  const waiting: (() => void)[] = [];
  const ping = vi.fn(
    () =>
      new Promise<unknown>((resolve) => {
        waiting.push(() => resolve(true));
      }),
  );
  return { ping, answer: () => waiting.splice(0).forEach((r) => r()) };
}

const never = () => new Promise<never>(() => {});

describe('Watchdog', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('does nothing while no call is pending', async () => {
    const { ping } = pinger();
    const onDead = vi.fn();
    new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead });
    await vi.advanceTimersByTimeAsync(60_000);
    expect(ping).not.toHaveBeenCalled();
    expect(onDead).not.toHaveBeenCalled();
  });

  it('never pings for a call that settles within the interval', async () => {
    const { ping } = pinger();
    const dog = new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead: vi.fn() });
    const call = dog.track(new Promise((r) => setTimeout(() => r('done'), 500)));
    await vi.advanceTimersByTimeAsync(600);
    await expect(call).resolves.toBe('done');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(ping).not.toHaveBeenCalled();
  });

  it('pings every interval while a call is pending and the worker answers', async () => {
    const { ping, answer } = pinger();
    const onDead = vi.fn();
    const dog = new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead });
    dog.track(never());
    for (let i = 1; i <= 5; i++) {
      await vi.advanceTimersByTimeAsync(1000);
      expect(ping).toHaveBeenCalledTimes(i);
      await vi.advanceTimersByTimeAsync(300);
      answer();
    }
    expect(onDead).not.toHaveBeenCalled();
    expect(dog.pendingCalls).toBe(1);
  });

  it('counts a rejected ping as an answer (the worker replied)', async () => {
    const ping = vi.fn(() => Promise.reject(new Error('no such method')));
    const onDead = vi.fn();
    new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead }).track(never());
    await vi.advanceTimersByTimeAsync(30_000);
    expect(ping.mock.calls.length).toBeGreaterThan(20);
    expect(onDead).not.toHaveBeenCalled();
  });

  it('gives up once when a ping stays unanswered for the timeout, then stops', async () => {
    const { ping } = pinger();
    const onDead = vi.fn();
    const dog = new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead });
    dog.track(never());
    await vi.advanceTimersByTimeAsync(1000 + 4999);
    expect(onDead).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(onDead).toHaveBeenCalledTimes(1);
    dog.track(never());
    await vi.advanceTimersByTimeAsync(60_000);
    expect(onDead).toHaveBeenCalledTimes(1);
    expect(ping).toHaveBeenCalledTimes(1);
  });

  it('treats a ping that throws at once as unanswered', async () => {
    const ping = vi.fn((): Promise<unknown> => {
      throw new Error('port closed');
    });
    const onDead = vi.fn();
    new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead }).track(never());
    await vi.advanceTimersByTimeAsync(6000);
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('stops pinging when the last pending call settles', async () => {
    const { ping, answer } = pinger();
    const dog = new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead: vi.fn() });
    let finish: () => void = () => {};
    dog.track(new Promise<void>((r) => (finish = r)));
    dog.track(Promise.reject(new Error('a failed call settles too')).catch(() => {}));
    await vi.advanceTimersByTimeAsync(1000);
    answer();
    expect(ping).toHaveBeenCalledTimes(1);
    finish();
    await vi.advanceTimersByTimeAsync(0);
    expect(dog.pendingCalls).toBe(0);
    await vi.advanceTimersByTimeAsync(20_000);
    expect(ping).toHaveBeenCalledTimes(1);
  });

  it('pings at once on check(), even when idle, and gives up without an answer', async () => {
    const { ping } = pinger();
    const onDead = vi.fn();
    const dog = new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead });
    dog.check();
    dog.check(); // one ping out at a time
    expect(ping).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000);
    expect(onDead).toHaveBeenCalledTimes(1);
  });

  it('never fires after stop()', async () => {
    const { ping } = pinger();
    const onDead = vi.fn();
    const dog = new Watchdog({ ping, intervalMs: 1000, timeoutMs: 5000, onDead });
    dog.track(never());
    await vi.advanceTimersByTimeAsync(1500);
    dog.stop();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(onDead).not.toHaveBeenCalled();
  });
});
