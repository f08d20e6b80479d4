import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BackendName } from '../../experiment/schema';
import type { BackendThroughput } from './autoselect';
import {
  benchmarkTrainingBackends,
  pickFastest,
  samplesPerSecond,
  sortByThroughput,
  timeSteps,
} from './autoselect';

/** A clock that moves `tickMs()` forward each time it is read. */
function fakeClock(tickMs: () => number): () => number {
  let t = 0;
  return () => (t += tickMs());
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('timeSteps', () => {
  it('stops at the first step that reaches the budget', async () => {
    let calls = 0;
    const step = async () => {
      calls++;
    };
    // Reads at 300 (start), 600, 900, 1200: three steps take 900 ms, the third reaches 900 ≥ 800.
    const timed = await timeSteps(
      step,
      800,
      10,
      fakeClock(() => 300),
    );
    expect(timed).toEqual({ steps: 3, elapsedMs: 900, stepMs: [300, 300, 300] });
    expect(calls).toBe(3);
  });

  it('stops at maxSteps, and always runs one step', async () => {
    const step = async () => {};
    const capped = await timeSteps(
      step,
      1e9,
      4,
      fakeClock(() => 1),
    );
    expect(capped).toEqual({ steps: 4, elapsedMs: 4, stepMs: [1, 1, 1, 1] });
    const once = await timeSteps(
      step,
      0,
      4,
      fakeClock(() => 5),
    );
    expect(once).toEqual({ steps: 1, elapsedMs: 5, stepMs: [5] });
  });
});

describe('samplesPerSecond, sortByThroughput, pickFastest', () => {
  const results: BackendThroughput[] = [
    { backend: 'cpu', samplesPerSec: 120, steps: 3 },
    { backend: 'webgl', samplesPerSec: Number.NaN, steps: 0 },
    { backend: 'wasm', samplesPerSec: 1800, steps: 12 },
    { backend: 'webgpu', samplesPerSec: 300, steps: 2 },
  ];

  it('counts samples per second from the median step: 32 / 0.5 s = 64/s', () => {
    expect(samplesPerSecond([500, 2000, 400], 32)).toBe(64);
    expect(samplesPerSecond([100, 300], 32)).toBe(160);
  });

  it('sorts fastest first with non-finite values last, leaving the input alone', () => {
    const order = sortByThroughput(results).map((r) => r.backend);
    expect(order).toEqual(['wasm', 'webgpu', 'cpu', 'webgl']);
    expect(results[0]?.backend).toBe('cpu');
  });

  it('picks the fastest, or nothing from no results', () => {
    expect(pickFastest(results)?.backend).toBe('wasm');
    expect(pickFastest([])).toBeUndefined();
  });
});

describe('benchmarkTrainingBackends', () => {
  it('measures cpu in Node, leaves it active and leaks nothing', async () => {
    const tensorsBefore = tf.memory().numTensors;
    const options = { batchSize: 8, budgetMs: 5000, maxSteps: 2 };
    const results = await benchmarkTrainingBackends(['cpu'], options);
    expect(results).toHaveLength(1);
    expect(results[0]?.backend).toBe('cpu');
    expect(results[0]?.steps).toBe(2);
    expect(results[0]?.samplesPerSec).toBeGreaterThan(0);
    expect(tf.getBackend()).toBe('cpu');
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('caps each backend by time: 400 ms a clock read, budget 1000 → 3 steps, 20 samples/s', async () => {
    // Asked for 32, cpu trains batches of 8: 8 samples / 0.4 s a step.
    const results = await benchmarkTrainingBackends(['cpu'], {
      batchSize: 32,
      budgetMs: 1000,
      now: fakeClock(() => 400),
    });
    // Warm-up 400 ms; timed reads at 400, 800, 1200 after the start: 3 steps of 0.4 s.
    expect(results).toEqual([{ backend: 'cpu', samplesPerSec: 20, steps: 3 }]);
    // A warm-up that uses the whole budget is the measurement: 1 step × 8 in 0.4 s.
    const slow = await benchmarkTrainingBackends(['cpu'], {
      batchSize: 8,
      budgetMs: 300,
      now: fakeClock(() => 400),
    });
    expect(slow).toEqual([{ backend: 'cpu', samplesPerSec: 20, steps: 0 }]);
  });

  it('skips backends that do not start and re-activates the fastest', async () => {
    const activated: BackendName[] = [];
    let tick = 100;
    // 'webgl' stands in for a fast backend (runs on cpu here, with a fast clock), 'webgpu' fails.
    const activate = async (name: BackendName) => {
      activated.push(name);
      if (name === 'webgpu') return false;
      tick = name === 'webgl' ? 10 : 100;
      return tf.setBackend('cpu');
    };
    const tensorsBefore = tf.memory().numTensors;
    const results = await benchmarkTrainingBackends(['webgpu', 'webgl', 'cpu'], {
      activate,
      batchSize: 8,
      maxSteps: 2,
      now: fakeClock(() => tick),
    });
    expect(results.map((r) => r.backend)).toEqual(['webgl', 'cpu']);
    expect(results.map((r) => r.samplesPerSec)).toEqual([800, 80]);
    expect(activated).toEqual(['webgpu', 'webgl', 'cpu', 'webgl']);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
  });

  it('keeps the backend active before when no candidate starts', async () => {
    await tf.setBackend('cpu');
    const results = await benchmarkTrainingBackends(['webgpu'], { activate: async () => false });
    expect(results).toEqual([]);
    expect(tf.getBackend()).toBe('cpu');
  });
});
