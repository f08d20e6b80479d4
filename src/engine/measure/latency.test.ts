import { describe, it, expect } from 'vitest';
import {
  MAX_RUNS_PER_SAMPLE,
  MAX_TIMED_RUNS,
  MAX_WARMUP_RUNS,
  MIN_TIMED_MS,
  MIN_TIMED_RUNS,
  MIN_WARMUP_MS,
  MIN_WARMUP_RUNS,
  measureLatency,
  measurePairedLatency,
  nearestRankPercentile,
  runsPerSample,
  summarizeLatency,
} from './latency';

/** A fake clock and a run that takes `durations[k]` ms on its k-th call, after an await. */
function fakeRun(durations: readonly number[]) {
  const state = { t: 0, calls: 0, inFlight: 0, maxInFlight: 0 };
  const run = async () => {
    state.inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, state.inFlight);
    await Promise.resolve(); // the "read-back": time passes only after the harness awaits
    state.t += durations[state.calls] ?? 0;
    state.calls++;
    state.inFlight--;
  };
  return { state, run, now: () => state.t };
}

describe('nearestRankPercentile', () => {
  it('picks the ⌈p·n/100⌉-th smallest sample', () => {
    expect(nearestRankPercentile([5, 1, 3], 50)).toBe(3);
    expect(nearestRankPercentile([5, 1, 3], 90)).toBe(5);
    expect(nearestRankPercentile([5, 1, 3], 0)).toBe(1);
    expect(nearestRankPercentile([5, 1, 3], 100)).toBe(5);
    expect(nearestRankPercentile([4, 3, 2, 1], 50)).toBe(2); // the lower middle, not 2.5
    expect(nearestRankPercentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1], 90)).toBe(9);
    expect(nearestRankPercentile([10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0], 90)).toBe(9);
  });

  it('rejects empty samples and out-of-range percentiles', () => {
    expect(() => nearestRankPercentile([], 50)).toThrow(RangeError);
    expect(() => nearestRankPercentile([1], 101)).toThrow(RangeError);
    expect(() => nearestRankPercentile([1], Number.NaN)).toThrow(RangeError);
  });

  it('does not reorder the caller samples', () => {
    const samples = [3, 1, 2];
    summarizeLatency(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('measureLatency', () => {
  it('runs the warm-ups untimed, then times each run', async () => {
    // Warm-ups take 1000 ms each and must not show; timed runs take 30, 29, …, 1 ms.
    const timed = Array.from({ length: 30 }, (_, i) => 30 - i);
    const { state, run, now } = fakeRun([...new Array<number>(5).fill(1000), ...timed]);
    const stats = await measureLatency(run, { warmup: 5, runs: 30, now, timedMs: 0 });
    expect(state.calls).toBe(35); // 5 × 1000 ms is past MIN_WARMUP_MS
    expect(stats.samples).toEqual(timed);
    expect(stats.runs).toBe(30);
    expect(stats.medianMs).toBe(15); // rank ⌈0.5·30⌉ = 15
    expect(stats.p90Ms).toBe(27); // rank ⌈0.9·30⌉ = 27
    expect(stats.meanMs).toBe(15.5);
    expect(state.maxInFlight).toBe(1);
  });

  it('raises warm-up and run counts to the minimums', async () => {
    const { state, run, now } = fakeRun(new Array<number>(100).fill(2));
    const stats = await measureLatency(run, { warmup: 1, runs: 3, now, warmupMs: 0, timedMs: 0 });
    expect(stats.runs).toBe(MIN_TIMED_RUNS);
    expect(state.calls).toBe(MIN_WARMUP_RUNS + MIN_TIMED_RUNS);
    expect(stats.medianMs).toBe(2);
  });

  it('warms up until the warm-up runs took MIN_WARMUP_MS, at most MAX_WARMUP_RUNS runs', async () => {
    // 2 ms runs: MIN_WARMUP_MS / 2 of them fill the warm-up; the timed runs see the 1 ms ones.
    const warm = new Array<number>(MIN_WARMUP_MS / 2).fill(2);
    const fast = fakeRun([...warm, ...new Array<number>(MIN_TIMED_RUNS).fill(1)]);
    const stats = await measureLatency(fast.run, { now: fast.now, timedMs: 0 });
    expect(fast.state.calls).toBe(MIN_WARMUP_MS / 2 + MIN_TIMED_RUNS);
    expect(stats.samples.every((s) => s === 1)).toBe(true);
    // A clock that never advances stops at the caps (a 0 ms run gets the most runs per sample).
    const stuck = fakeRun([]);
    await measureLatency(stuck.run, { now: stuck.now, timedMs: 0 });
    expect(stuck.state.calls).toBe(MAX_WARMUP_RUNS + MIN_TIMED_RUNS * MAX_RUNS_PER_SAMPLE);
  });

  it('keeps larger counts, floors fractions and defaults missing or invalid ones', async () => {
    const a = fakeRun(new Array<number>(100).fill(1));
    const options = { runs: 40, now: a.now, warmupMs: 0, timedMs: 0 };
    expect((await measureLatency(a.run, { warmup: 7.9, ...options })).runs).toBe(40);
    expect(a.state.calls).toBe(47);
    const b = fakeRun([]);
    await measureLatency(b.run, { warmup: Number.NaN, now: b.now, warmupMs: 0, timedMs: 0 });
    expect(b.state.calls).toBe(MIN_WARMUP_RUNS + MIN_TIMED_RUNS * MAX_RUNS_PER_SAMPLE);
  });

  it('times runs until they span MIN_TIMED_MS, at most MAX_TIMED_RUNS runs', async () => {
    // 1 ms runs: MIN_WARMUP_MS of them warm up, then MIN_TIMED_MS (> 30) timed ones fill it.
    const steady = fakeRun(new Array<number>(1000).fill(1));
    const stats = await measureLatency(steady.run, { now: steady.now });
    expect(stats.runs).toBe(MIN_TIMED_MS);
    expect(steady.state.calls).toBe(MIN_WARMUP_MS + MIN_TIMED_MS);
    const stuck = fakeRun([]);
    expect((await measureLatency(stuck.run, { now: stuck.now, warmupMs: 0 })).runs).toBe(
      MAX_TIMED_RUNS,
    );
  });

  it('times runs shorter than MIN_SAMPLE_MS k at a time and reports their mean', async () => {
    expect([
      runsPerSample(1),
      runsPerSample(0.5),
      runsPerSample(0.1),
      runsPerSample(0.013),
    ]).toEqual([1, 1, 5, 39]);
    expect([runsPerSample(0), runsPerSample(Number.NaN), runsPerSample(1e-6)]).toEqual([
      MAX_RUNS_PER_SAMPLE,
      MAX_RUNS_PER_SAMPLE,
      MAX_RUNS_PER_SAMPLE,
    ]);
    // 0.1 ms runs: each sample is 5 runs back to back, reported as their mean.
    const quick = fakeRun(new Array<number>(2000).fill(0.1));
    const stats = await measureLatency(quick.run, { now: quick.now, warmupMs: 0, timedMs: 0 });
    expect(quick.state.calls).toBe(MIN_WARMUP_RUNS + 5 * MIN_TIMED_RUNS);
    stats.samples.forEach((ms) => expect(ms).toBeCloseTo(0.1, 10));
    expect(stats.runsPerSample).toBe(5);
  });

  it('uses performance.now by default', async () => {
    const stats = await measureLatency(async () => {});
    expect(stats.runs).toBeGreaterThanOrEqual(MIN_TIMED_RUNS);
    expect(stats.runs).toBeLessThanOrEqual(MAX_TIMED_RUNS);
    expect(stats.samples.every((s) => s >= 0 && Number.isFinite(s))).toBe(true);
    expect(stats.p90Ms).toBeGreaterThanOrEqual(stats.medianMs);
  });
});

describe('measurePairedLatency', () => {
  it('alternates a and b (a b, b a, …) and times each on the same clock', async () => {
    const clock = { t: 0 };
    const order: string[] = [];
    // The machine is busy for a while in the middle: both runs take 3× as long there.
    const slow = (t: number) => (t >= 100 && t < 160 ? 3 : 1);
    const run = (name: string, ms: number) => async () => {
      order.push(name);
      await Promise.resolve();
      clock.t += ms * slow(clock.t);
    };
    const [a, b] = await measurePairedLatency(run('a', 2), run('b', 1), {
      now: () => clock.t,
      warmupMs: 0,
      timedMs: 0,
    });
    expect(order.slice(0, 2 * MIN_WARMUP_RUNS)).toEqual(
      new Array<string[]>(MIN_WARMUP_RUNS).fill(['a', 'b']).flat(),
    );
    const timed = order.slice(2 * MIN_WARMUP_RUNS);
    expect(timed.slice(0, 6)).toEqual(['a', 'b', 'b', 'a', 'a', 'b']);
    expect([a.runs, b.runs]).toEqual([MIN_TIMED_RUNS, MIN_TIMED_RUNS]);
    expect([a.medianMs, b.medianMs]).toEqual([2, 1]);
    expect(a.medianMs / b.medianMs).toBe(2);
  });

  it('goes on until the rounds span 2·timedMs, capped like measureLatency', async () => {
    const clock = { t: 0 };
    const tick = (ms: number) => async () => {
      await Promise.resolve();
      clock.t += ms;
    };
    const [a, b] = await measurePairedLatency(tick(1), tick(1), {
      now: () => clock.t,
      warmupMs: 0,
    });
    expect(a.runs + b.runs).toBe(2 * MIN_TIMED_MS);
    const [c] = await measurePairedLatency(tick(0), tick(0), { now: () => clock.t, warmupMs: 0 });
    expect(c.runs).toBe(MAX_TIMED_RUNS);
  });
});
