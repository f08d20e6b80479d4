import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../../engine/rng';
import type { NamedLayer } from '../../../engine/network/layers';
import type { Range } from './calibrate';
import { calibrateRanges } from './calibrate';
import { bars, blobs, testContext } from '../../../engine/network/test-fixtures';
import { modelBytes } from '../../../engine/measure/size';
import {
  LUT_BITS,
  activationGridStorage,
  activationParams,
  buildIntegerModel,
  integerPredict,
  runIntegerModel,
} from './integer-model';
import { buildFakeQuantModel } from './fake-quant-model';
import { quantizeLayers } from '../weights';
import type { Dataset } from '../../../engine/data/types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function values(n: number, seed: number, sd = 0.5): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => sd * gaussian(rng));
}

const cnnLayers: NamedLayer[] = [
  {
    kind: 'conv',
    name: 'conv1',
    kernel: values(27, 1),
    kernelShape: [3, 3, 1, 3],
    bias: values(3, 2, 0.1),
    activation: 'relu',
  },
  { kind: 'maxpool', name: 'pool1' },
  { kind: 'flatten', name: 'flatten' },
  {
    kind: 'dense',
    name: 'dense1',
    kernel: values(27 * 5, 3),
    kernelShape: [27, 5],
    bias: values(5, 4, 0.1),
    activation: 'relu',
  },
  {
    kind: 'dense',
    name: 'logits',
    kernel: values(10, 5),
    kernelShape: [5, 2],
    bias: values(2, 6, 0.1),
    activation: 'linear',
  },
];

const tanhLayers: NamedLayer[] = [
  {
    kind: 'dense',
    name: 'dense1',
    kernel: values(12, 7, 1),
    kernelShape: [2, 6],
    bias: values(6, 8, 0.2),
    activation: 'tanh',
  },
  {
    kind: 'dense',
    name: 'logits',
    kernel: values(18, 9, 1),
    kernelShape: [6, 3],
    bias: values(3, 10, 0.2),
    activation: 'linear',
  },
];

/** Integer logits vs fake-quant model logits on the test split: max |Δ| and max |logit|. */
async function compare(layers: NamedLayer[], data: Dataset, bits: number) {
  const ctx = testContext(data, null as unknown as tf.LayersModel);
  const { layers: q, kernels } = quantizeLayers(layers, {
    bits: 8,
    scheme: 'symmetric',
    perChannel: true,
    powerOfTwo: false,
  });
  const ranges = await calibrateRanges(ctx, q, 64, {
    observer: 'minmax',
    emaMomentum: 0.9,
    percentile: 100,
  });
  const integer = buildIntegerModel(
    q,
    kernels,
    ranges.inputs,
    ranges.preActivations,
    bits,
    data.inputShape,
  );
  const model = buildFakeQuantModel(q, ranges.inputs, bits, data.inputShape);
  const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
  const y = model.predict(x) as tf.Tensor;
  const reference = y.dataSync();
  tf.dispose([x, y]);
  model.dispose();
  const ours = runIntegerModel(integer, data.test.x, data.test.count);
  let diff = 0;
  let scale = 0;
  ours.forEach((v, i) => {
    diff = Math.max(diff, Math.abs(v - reference[i]!));
    scale = Math.max(scale, Math.abs(reference[i]!));
  });
  return { diff, scale, integer };
}

describe('integer model', () => {
  it('CNN (conv → ReLU → pool → flatten → dense): logits match the fake-quant model', async () => {
    const before = tf.memory().numTensors;
    const { diff, scale, integer } = await compare(cnnLayers, bars(64, 32), 8);
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(0.01 * scale);
    expect(integer.ops.map((op) => op.kind)).toEqual([
      'conv',
      'maxpool',
      'flatten',
      'dense',
      'dense',
    ]);
    expect(integer.accumulatorBits).toBeLessThanOrEqual(32);
    // one grid per weight layer input (pooling and flatten read the conv's output grid codes)
    const grids = activationGridStorage(integer);
    expect(grids.map((g) => g.name)).toEqual([
      'conv1/input_grid',
      'dense1/input_grid',
      'logits/input_grid',
    ]);
    expect(modelBytes(grids)).toBe(3 * 8);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('tanh runs through a lookup table from a 16-bit pre-activation grid', async () => {
    const { diff, scale, integer } = await compare(tanhLayers, blobs(64, 48), 8);
    const hidden = integer.ops[0]!;
    if (hidden.kind !== 'dense') throw new Error('expected dense');
    expect(hidden.lut).toHaveLength(2 ** LUT_BITS);
    expect(hidden.layer.outputParams.bits).toBe(LUT_BITS);
    expect(diff).toBeLessThan(0.02 * scale);
    const grids = activationGridStorage(integer).map((g) => [g.name, g.bits]);
    expect(grids).toEqual([
      ['dense1/input_grid', 8],
      ['dense1/pre_activation_grid', LUT_BITS],
      ['logits/input_grid', 8],
    ]);
  });

  it('a single dense layer by hand: logits = (Σ (q_x − z_x) q_w + q_b) · s_x · s_w', () => {
    const layer: NamedLayer = {
      kind: 'dense',
      name: 'logits',
      kernel: Float32Array.from([1, -1]), // [1, 2]
      kernelShape: [1, 2],
      bias: Float32Array.from([0.5, 0]),
      activation: 'linear',
    };
    const { layers, kernels } = quantizeLayers([layer], {
      bits: 8,
      scheme: 'symmetric',
      perChannel: false,
      powerOfTwo: false,
    });
    const ranges = new Map<string, Range>([['logits', { min: 0, max: 2.55 }]]);
    const model = buildIntegerModel(layers, kernels, ranges, new Map(), 8, [1]);
    // s_x = 0.01, z_x = 0; s_w = 1/127; x = 1.234 → q_x = 123; q_b = round(0.5 / (0.01/127)) = 6350
    const logits = runIntegerModel(model, Float32Array.from([1.234]), 1);
    const sxsw = Math.fround(0.01) * Math.fround(1 / 127);
    expect(logits[0]).toBeCloseTo((123 * 127 + 6350) * sxsw, 6);
    expect(logits[1]).toBeCloseTo(-123 * 127 * sxsw, 6);
    expect(activationParams({ min: 0, max: 2.55 }, 8).scale[0]).toBeCloseTo(0.01, 8);
  });

  it('bias codes beyond int32 (16-bit grids) stay exact through a wide bias', () => {
    const layer: NamedLayer = {
      kind: 'dense',
      name: 'logits',
      kernel: Float32Array.from([1, -1]),
      kernelShape: [1, 2],
      bias: Float32Array.from([2, -2]),
      activation: 'linear',
    };
    const config = { bits: 16, scheme: 'symmetric' as const, perChannel: false, powerOfTwo: false };
    const { layers, kernels } = quantizeLayers([layer], config);
    const ranges = new Map<string, Range>([['logits', { min: 0, max: 1 }]]);
    const model = buildIntegerModel(layers, kernels, ranges, new Map(), 16, [1]);
    const op = model.ops[0]!;
    if (op.kind !== 'dense') throw new Error('expected dense');
    // q_b = 2 · 65535 · 32767 ≈ 4.29e9 does not fit int32
    expect(op.layer.wideBias![0]! / (2 * 65535 * 32767)).toBeCloseTo(1, 6);
    expect(op.layer.bias[0]).toBe(2 ** 31 - 1); // what the int32 clamp would have kept
    expect(model.accumulatorBits).toBeGreaterThan(32);
    const logits = runIntegerModel(model, Float32Array.from([0.25]), 1);
    expect(logits[0]).toBeCloseTo(2.25, 4);
    expect(logits[1]).toBeCloseTo(-2.25, 4);
  });

  it('predict returns one [batch, classes] tensor', () => {
    const { layers, kernels } = quantizeLayers(tanhLayers, {
      bits: 8,
      scheme: 'symmetric',
      perChannel: true,
      powerOfTwo: false,
    });
    const r = new Map<string, Range>([
      ['dense1', { min: -2, max: 2 }],
      ['logits', { min: -1, max: 1 }],
    ]);
    const model = buildIntegerModel(
      layers,
      kernels,
      r,
      new Map([['dense1', { min: -3, max: 3 }]]),
      8,
      [2],
    );
    const predict = integerPredict(model);
    const x = tf.tensor2d([
      [0.1, 0.2],
      [1, -1],
      [0, 0],
    ]);
    const before = tf.memory().numTensors;
    const y = predict(x);
    expect(y.shape).toEqual([3, 3]);
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, y]);
  });

  it('says what is missing', () => {
    const { layers, kernels } = quantizeLayers(tanhLayers, {
      bits: 8,
      scheme: 'symmetric',
      perChannel: true,
      powerOfTwo: false,
    });
    const inputs = new Map<string, Range>([
      ['dense1', { min: -2, max: 2 }],
      ['logits', { min: -1, max: 1 }],
    ]);
    expect(() => buildIntegerModel(layers, kernels, inputs, new Map(), 8, [2])).toThrow(
      /pre-activation/,
    );
    expect(() => buildIntegerModel(layers, kernels, new Map(), new Map(), 8, [2])).toThrow(
      /input range/,
    );
    expect(() =>
      buildIntegerModel(layers.slice(0, 1), kernels, inputs, new Map(), 8, [2]),
    ).not.toThrow();
    expect(() =>
      buildIntegerModel(cnnLayers.slice(0, 2), kernels, inputs, new Map(), 8, [8, 8, 1]),
    ).toThrow(/ends with a dense layer/);
  });
});
