import { describe, expect, it } from 'vitest';
import type { BenchResults } from './protocol';
import { cannotTrainReason, formatMarkdown, sig3, stepsForDuration } from './report';

describe('cannotTrainReason', () => {
  it('names a missing kernel, and passes other errors on', () => {
    const missing = new Error("Kernel 'Conv2DBackpropFilter' not registered for backend 'wasm'");
    expect(cannotTrainReason(missing)).toBe('cannot train (missing Conv2DBackpropFilter)');
    expect(cannotTrainReason(new Error('out of memory'))).toBe('failed: out of memory');
    expect(cannotTrainReason('lost')).toBe('failed: lost');
  });
});

describe('stepsForDuration', () => {
  it('is round(targetMs·sps / 1000 / batch), clamped', () => {
    // 2,000 ms at 1,000 samples/s = 2,000 samples = 15.6 batches of 128 → 16.
    expect(stepsForDuration(1000, 128, 2000, { min: 5, max: 40 })).toBe(16);
    expect(stepsForDuration(20, 128, 2000, { min: 5, max: 40 })).toBe(5);
    expect(stepsForDuration(1e6, 128, 2000, { min: 5, max: 40 })).toBe(40);
    expect(stepsForDuration(Number.NaN, 128, 2000, { min: 5, max: 40 })).toBe(5);
  });
});

describe('sig3', () => {
  it('keeps three significant digits below 100 and rounds to integers above', () => {
    expect(sig3(0.20512)).toBe('0.205');
    expect(sig3(23.8175)).toBe('23.8');
    expect(sig3(1057.35)).toBe('1,057');
  });
});

describe('formatMarkdown', () => {
  const results: Omit<BenchResults, 'markdown'> = {
    startedAt: '2025-01-01T00:00:00.000Z',
    userAgent: 'test',
    hardwareConcurrency: 2,
    crossOriginIsolated: true,
    kernelsFunction: 'registerWasmConvGradients()',
    batchSize: 128,
    backends: [
      {
        target: { label: 'wasm (stock)', backend: 'wasm', kernels: false, fused: false },
        start: { ok: true, value: { active: 'wasm', notices: [], wasmThreads: 1 } },
        throughput: { ok: false, reason: 'cannot train (missing Conv2DBackpropFilter)' },
        wallMs: 2000,
      },
      {
        target: { label: 'wasm + kernels', backend: 'wasm', kernels: true, fused: false },
        start: { ok: true, value: { active: 'wasm', notices: [] } },
        throughput: {
          ok: true,
          value: { samplesPerSec: 1000, steps: 10, timedMs: 1280, warmupMs: 500 },
        },
        overhead: {
          ok: true,
          value: {
            ratio: 1.02,
            pairRatios: [1.01, 1.03],
            minRatio: 1.0,
            sumRatio: 1.02,
            steps: 16,
            appMs: [2040, 2060],
            bareMs: [2020, 2000],
            messages: 40,
            leakedTensors: 0,
          },
        },
        latency: { ok: true, value: { batch1MedianMs: 0.5, batch1P90Ms: 1, batch32MedianMs: 3 } },
        wallMs: 20000,
      },
      {
        target: { label: 'webgpu', backend: 'webgpu', kernels: false, fused: false },
        start: { ok: false, reason: 'unavailable (no adapter)' },
        wallMs: 100,
      },
    ],
    longTasks: { observed: true, count: 2, maxMs: 75, totalMs: 130 },
    totalMs: 100_000,
  };

  it('prints one row per measure and backend, with reasons where there is no number', () => {
    const lines = formatMarkdown(results).split('\n');
    expect(lines).toContain('| Measure | Backend | Result | Detail |');
    const rows = lines.filter((l) => l.startsWith('| ')).slice(2);
    expect(rows).toHaveLength(6);
    expect(rows[0]).toBe(
      '| Training throughput | wasm (stock) | cannot train (missing Conv2DBackpropFilter) |  |',
    );
    // 1,280 ms / 10 steps = 128 ms a step.
    expect(rows[1]).toContain('| 1,000 samples/s | 128 ms/step over 10 steps of 128');
    expect(rows[2]).toContain('| 1.020 (target ≤ 1.05) |');
    expect(rows[2]).toContain('app 4.1 s, bare 4.02 s');
    expect(rows[3]).toContain('| 0.5 ms median |');
    expect(rows[4]).toBe('| Training throughput | webgpu | unavailable (no adapter) |  |');
    expect(rows[5]).toBe(
      '| Main-thread long tasks | page | 2 | max 75 ms, total 130 ms over 100 s |',
    );
  });

  it('says so when the long-task observer was blind', () => {
    const blind = { ...results, longTasks: { ...results.longTasks, observed: false } };
    expect(formatMarkdown(blind)).toContain('| Main-thread long tasks | page | not observed |');
  });
});
