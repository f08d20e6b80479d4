import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '../../experiment/schema';
import { buildModel } from '../network/build';
import { conv2dMacs, denseMacs, effectiveMacs, layerCosts, totalMacs, totalParams } from './macs';

const teacherCnn: ArchitectureSpec = {
  kind: 'cnn',
  convs: [
    { filters: 16, kernel: 3 },
    { filters: 32, kernel: 3 },
  ],
  dense: [128],
  activation: 'relu',
};
const smallMlp: ArchitectureSpec = { kind: 'mlp', hidden: [16, 16], activation: 'tanh' };

describe('MAC formulas', () => {
  it('counts dense in·out and conv outH·outW·k²·cin·cout', () => {
    expect(denseMacs(800, 128)).toBe(102_400);
    expect(conv2dMacs(26, 26, 3, 1, 16)).toBe(97_344);
    expect(conv2dMacs(11, 11, 3, 16, 32)).toBe(557_568);
  });
});

describe('layerCosts', () => {
  it('matches hand counts for the reference teacher CNN on 28×28×1', () => {
    const rows = layerCosts(teacherCnn, [28, 28, 1], 10);
    expect(rows.map((r) => [r.name, r.kind, r.outputShape, r.params, r.macs])).toEqual([
      ['conv1', 'conv2d', [26, 26, 16], 160, 97_344],
      ['pool1', 'maxpool2d', [13, 13, 16], 0, 0],
      ['conv2', 'conv2d', [11, 11, 32], 4640, 557_568],
      ['pool2', 'maxpool2d', [5, 5, 32], 0, 0],
      ['flatten', 'flatten', [800], 0, 0],
      ['dense1', 'dense', [128], 102_528, 102_400],
      ['logits', 'dense', [10], 1290, 1280],
    ]);
    expect(totalParams(rows)).toBe(108_618);
    expect(totalMacs(rows)).toBe(97_344 + 557_568 + 102_400 + 1280);
    expect(rows.map((r) => r.fp32Bytes)).toEqual([640, 0, 18_560, 0, 0, 410_112, 5160]);
    expect(rows.map((r) => r.activation)).toEqual([
      'relu',
      null,
      'relu',
      null,
      null,
      'relu',
      'linear',
    ]);
  });

  it('matches hand counts for an MLP on 2-D points', () => {
    const rows = layerCosts(smallMlp, [2], 3);
    expect(rows.map((r) => [r.name, r.outputShape, r.params, r.macs])).toEqual([
      ['dense1', [16], 2 * 16 + 16, 32],
      ['dense2', [16], 16 * 16 + 16, 256],
      ['logits', [3], 16 * 3 + 3, 48],
    ]);
    expect(totalParams(rows)).toBe(371);
    expect(totalMacs(rows)).toBe(336);
  });

  it('flattens image input for an MLP and allows no hidden layers', () => {
    const rows = layerCosts({ kind: 'mlp', hidden: [], activation: 'relu' }, [28, 28, 1], 10);
    expect(rows.map((r) => [r.name, r.outputShape, r.params])).toEqual([
      ['flatten', [784], 0],
      ['logits', [10], 7850],
    ]);
  });

  it('floors odd sizes when pooling', () => {
    const spec: ArchitectureSpec = {
      kind: 'cnn',
      convs: [{ filters: 4, kernel: 5 }],
      dense: [],
      activation: 'relu',
    };
    const rows = layerCosts(spec, [10, 12, 3], 2);
    expect(rows[0]?.outputShape).toEqual([6, 8, 4]);
    expect(rows[0]?.macs).toBe(6 * 8 * 25 * 3 * 4);
    expect(rows[1]?.outputShape).toEqual([3, 4, 4]);
    expect(rows[3]).toMatchObject({ name: 'logits', params: 48 * 2 + 2, macs: 96 });
  });

  it('rejects specs that shrink the image to nothing and bad inputs', () => {
    const deep: ArchitectureSpec = {
      kind: 'cnn',
      convs: [1, 2, 3, 4].map(() => ({ filters: 4, kernel: 7 })),
      dense: [],
      activation: 'relu',
    };
    expect(() => layerCosts(deep, [28, 28, 1], 10)).toThrow(RangeError);
    expect(() => layerCosts(teacherCnn, [784], 10)).toThrow(RangeError);
    expect(() => layerCosts(smallMlp, [2], 0)).toThrow(RangeError);
    expect(() => layerCosts(smallMlp, [0], 3)).toThrow(RangeError);
  });
});

describe('effectiveMacs', () => {
  it('weights each layer by the density of its kernel', () => {
    const rows = layerCosts(smallMlp, [2], 3);
    expect(effectiveMacs(rows)).toBe(336);
    expect(effectiveMacs(rows, { dense2: 0.25, logits: 0.5 })).toBe(32 + 64 + 24);
    expect(effectiveMacs(rows, { dense1: 0, dense2: 0, logits: 0 })).toBe(0);
    expect(() => effectiveMacs(rows, { dense1: 1.5 })).toThrow(RangeError);
    expect(() => effectiveMacs(rows, { dense1: Number.NaN })).toThrow(RangeError);
  });
});

describe('layerCosts agrees with the tfjs model built from the same spec', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it.each([
    ['teacher cnn', teacherCnn, [28, 28, 1], 10],
    ['mlp', smallMlp, [2], 3],
    ['mlp on images', smallMlp, [28, 28, 1], 10],
  ] as const)('%s', (_label, spec, inputShape, numClasses) => {
    const before = tf.memory().numTensors;
    const model = buildModel(spec, [...inputShape], numClasses, 1);
    const rows = layerCosts(spec, inputShape, numClasses);
    const summary = model.layers.map((l) => ({
      name: l.name,
      outputShape: (l.outputShape as (number | null)[]).slice(1),
      params: l.countParams(),
    }));
    expect(
      rows.map((r) => ({ name: r.name, outputShape: r.outputShape, params: r.params })),
    ).toEqual(summary);
    expect(totalParams(rows)).toBe(model.countParams());
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
