import { afterEach, describe, expect, it, vi } from 'vitest';
import { lifelineApi } from './lifeline';

describe('lifelineApi', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('answers a ping at once', () => {
    expect(lifelineApi.ping()).toBe(true);
  });

  it('holds the lock for good once granted', async () => {
    let held: Promise<unknown> | null = null;
    const request = vi.fn((_name: string, grant: () => Promise<unknown>) => {
      held = grant();
      return held;
    });
    vi.stubGlobal('navigator', { locks: { request } });
    await expect(lifelineApi.lifeline('engine-1')).resolves.toBe(true);
    expect(request).toHaveBeenCalledWith('engine-1', expect.any(Function));
    // The granted callback's promise never settles: the lock is freed only when the worker ends.
    const settled = await Promise.race([held, new Promise((r) => setTimeout(() => r('open'), 20))]);
    expect(settled).toBe('open');
  });

  it('says false without Web Locks, or when the request is refused', async () => {
    vi.stubGlobal('navigator', {});
    await expect(lifelineApi.lifeline('x')).resolves.toBe(false);
    vi.stubGlobal('navigator', {
      locks: { request: () => Promise.reject(new Error('SecurityError')) },
    });
    await expect(lifelineApi.lifeline('x')).resolves.toBe(false);
  });
});
