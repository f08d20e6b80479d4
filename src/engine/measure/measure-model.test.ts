import * as tf from '@tensorflow/tfjs';
import { MAX_TIMED_RUNS, MIN_TIMED_MS } from './latency';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../network/build';
import { fp32Size, isShippedWeight, measureModelLatency } from './measure-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('measureModelLatency', () => {
  it('times batch 1 and batch 32 with at least 30 runs and leaks nothing', async () => {
    const model = buildModel({ kind: 'mlp', hidden: [8], activation: 'relu' }, [2], 3, 1);
    const before = tf.memory().numTensors;
    const latency = await measureModelLatency(model, [2]);
    expect(tf.memory().numTensors).toBe(before);
    expect(latency.batch1.runs).toBeGreaterThanOrEqual(30);
    expect(latency.batch32.samples).toHaveLength(latency.batch32.runs);
    // The timed runs span MIN_TIMED_MS unless they hit the cap on runs.
    const perSample = latency.batch32.runsPerSample;
    const spanned = perSample * latency.batch32.samples.reduce((a, b) => a + b, 0);
    expect(latency.batch32.runs === MAX_TIMED_RUNS || spanned >= MIN_TIMED_MS).toBe(true);
    expect(latency.batch1.medianMs).toBeGreaterThan(0);
    expect(latency.batch1.p90Ms).toBeGreaterThanOrEqual(latency.batch1.medianMs);
    model.dispose();
  });
});

describe('fp32Size', () => {
  it('is exactly 4 bytes per weight', async () => {
    const model = buildModel({ kind: 'mlp', hidden: [8], activation: 'relu' }, [2], 3, 1);
    const size = await fp32Size(model);
    expect(size.bytes).toBe(4 * (2 * 8 + 8 + 8 * 3 + 3));
    expect(size.gzipBytes).toBeGreaterThan(0);
    model.dispose();
  });
});

describe('isShippedWeight', () => {
  it('leaves pruning masks out of what ships', () => {
    expect(isShippedWeight('dense1/kernel')).toBe(true);
    expect(isShippedWeight('dense1/mask')).toBe(false);
    expect(isShippedWeight('conv1/mask_3')).toBe(false);
    expect(isShippedWeight('masked/kernel')).toBe(true);
  });
});
