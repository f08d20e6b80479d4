import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedLayer } from '../../../engine/network/layers';
import { buildFromLayers } from '../../../engine/network/layer-ir';
import {
  calibrateRanges,
  calibrationIndices,
  forwardPlain,
  needsPreActivationRange,
} from './calibrate';
import { subsamplePositions } from './calibrate';
import { bars, blobs, testContext } from '../../../engine/network/test-fixtures';
import { createRng, gaussian } from '../../../engine/rng';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => 0.5 * gaussian(rng));
}

const cnnLayers: NamedLayer[] = [
  {
    kind: 'conv',
    name: 'conv1',
    kernel: values(18, 1),
    kernelShape: [3, 3, 1, 2],
    bias: values(2, 2),
    activation: 'relu',
  },
  { kind: 'maxpool', name: 'pool1' },
  { kind: 'flatten', name: 'flatten' },
  {
    kind: 'dense',
    name: 'logits',
    kernel: values(36, 3),
    kernelShape: [18, 2],
    bias: values(2, 4),
    activation: 'linear',
  },
];

const tanhLayers: NamedLayer[] = [
  {
    kind: 'dense',
    name: 'dense1',
    kernel: values(8, 5),
    kernelShape: [2, 4],
    bias: values(4, 6),
    activation: 'tanh',
  },
  {
    kind: 'dense',
    name: 'logits',
    kernel: values(12, 7),
    kernelShape: [4, 3],
    bias: values(3, 8),
    activation: 'linear',
  },
];

const minmax = { observer: 'minmax' as const, emaMomentum: 0.9, percentile: 100 };

describe('forwardPlain', () => {
  it('matches the tfjs model built from the same plain layers', () => {
    const before = tf.memory().numTensors;
    const model = buildFromLayers(cnnLayers, [8, 8, 1]);
    const x = tf.randomUniform([3, 8, 8, 1], 0, 1, 'float32', 9);
    const ours = forwardPlain(cnnLayers, x);
    const theirs = model.predict(x) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(ours, theirs))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    const taps: string[] = [];
    const one = tf.ones([1, 2]);
    tf.dispose(forwardPlain(tanhLayers, one, (name, point) => taps.push(`${point}:${name}`)));
    one.dispose();
    expect(taps).toEqual(['input:dense1', 'pre:dense1', 'input:logits']);
    tf.dispose([x, ours, theirs]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('calibrateRanges', () => {
  it('min/max of the first layer input = min/max of the calibration examples', async () => {
    const data = blobs(100, 10);
    const ctx = testContext(data, null as unknown as tf.LayersModel);
    const before = tf.memory().numTensors;
    const ranges = await calibrateRanges(ctx, tanhLayers, 40, minmax);
    const indices = calibrationIndices(data, 40, ctx.seed);
    expect(indices).toHaveLength(40);
    let lo = Infinity;
    let hi = -Infinity;
    for (const i of indices) {
      for (const v of data.train.x.subarray(2 * i, 2 * i + 2)) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
    }
    expect(ranges.inputs.get('dense1')).toEqual({ min: Math.fround(lo), max: Math.fround(hi) });
    // tanh outputs lie in (−1, 1); the pre-activation range is watched too.
    const hidden = ranges.inputs.get('logits')!;
    expect(hidden.min).toBeGreaterThan(-1);
    expect(hidden.max).toBeLessThan(1);
    expect(ranges.preActivations.has('dense1')).toBe(true);
    expect(ranges.preActivations.has('logits')).toBe(false);
    expect(ctx.progress.map(([f]) => f)).toEqual([0.5, 1]); // two batches of at most 32
    expect(tf.memory().numTensors).toBe(before);
  });

  it('percentile and EMA ranges lie inside the min/max range (CNN, after ReLU and pooling)', async () => {
    const data = bars(64, 8);
    const ctx = testContext(data, null as unknown as tf.LayersModel);
    const full = await calibrateRanges(ctx, cnnLayers, 64, minmax);
    const pct = await calibrateRanges(ctx, cnnLayers, 64, {
      ...minmax,
      observer: 'percentile',
      percentile: 99,
    });
    const ema = await calibrateRanges(ctx, cnnLayers, 64, { ...minmax, observer: 'ema' });
    const a = full.inputs.get('logits')!;
    expect(a.min).toBeGreaterThanOrEqual(0); // after ReLU
    for (const r of [pct.inputs.get('logits')!, ema.inputs.get('logits')!]) {
      expect(r.min).toBeGreaterThanOrEqual(a.min);
      expect(r.max).toBeLessThanOrEqual(a.max);
    }
    expect(pct.inputs.get('logits')!.max).toBeLessThan(a.max);
  });

  it('caps the calibration set at the training set size and needs a non-empty one', async () => {
    const data = blobs(10, 4);
    expect(calibrationIndices(data, 256, 1)).toHaveLength(10);
    const empty = { ...data, train: { x: new Float32Array(0), y: new Uint8Array(0), count: 0 } };
    const ctx = testContext(empty, null as unknown as tf.LayersModel);
    await expect(calibrateRanges(ctx, tanhLayers, 8, minmax)).rejects.toThrow(/at least one/);
    expect(needsPreActivationRange(tanhLayers[0]!)).toBe(true);
    expect(needsPreActivationRange(cnnLayers[0]!)).toBe(false);
  });
});

describe('subsamplePositions', () => {
  it('keeps whole positions, so every channel contributes (every n-th value would skip some)', () => {
    const channels = 16;
    const positions = 100;
    // Channel c holds the value c everywhere: a per-tensor observer must see all 16 values.
    const values = Float32Array.from({ length: channels * positions }, (_, i) => i % channels);
    const stride = 2; // every 2nd value alone would see only the 8 even channels
    const kept = subsamplePositions(values, channels, stride);
    expect(kept.length).toBe(channels * 50);
    expect(new Set(kept)).toEqual(new Set(Array.from({ length: channels }, (_, c) => c)));
    expect(subsamplePositions(values, channels, 1)).toBe(values);
  });
});
