import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../engine/rng';
import { MaskedConv2D, MaskedDense } from './stage/masked-layers';
import {
  removeUnits,
  structuredPrune,
  unitKernelMask,
  unitScores,
  unitsToPrune,
  zeroUnits,
} from './structured';
import type {
  KernelLayer as WeightLayer,
  PlainLayer,
  UnitActivation,
} from '../../engine/network/layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => gaussian(rng));
}

function dense(inDim: number, out: number, seed: number, activation: UnitActivation): WeightLayer {
  const kernel = randomArray(inDim * out, seed);
  return {
    kind: 'dense',
    kernel,
    kernelShape: [inDim, out],
    bias: randomArray(out, seed + 1),
    activation,
  };
}

function conv(
  k: number,
  cin: number,
  f: number,
  seed: number,
  activation: UnitActivation,
): WeightLayer {
  const kernel = randomArray(k * k * cin * f, seed);
  return {
    kind: 'conv',
    kernel,
    kernelShape: [k, k, cin, f],
    bias: randomArray(f, seed + 1),
    activation,
  };
}

/**
 * A tfjs model from plain layers. masked: Masked* layers whose mask zeroes every column that is
 * zero in the weights (the whole unit); plain: standard tf.layers.
 */
function build(layers: PlainLayer[], inputShape: number[], masked: boolean): tf.Sequential {
  const model = tf.sequential();
  layers.forEach((l, i) => {
    const first = i === 0 ? { inputShape } : {};
    if (l.kind === 'maxpool') model.add(tf.layers.maxPooling2d({ poolSize: 2, ...first }));
    else if (l.kind === 'flatten') model.add(tf.layers.flatten(first));
    else {
      const units = l.kernelShape[l.kernelShape.length - 1]!;
      const activation = l.activation ?? 'linear';
      const layer =
        l.kind === 'dense'
          ? masked
            ? new MaskedDense({ units, activation, ...first })
            : tf.layers.dense({ units, activation, ...first })
          : masked
            ? new MaskedConv2D({
                filters: units,
                kernelSize: l.kernelShape[0],
                activation,
                ...first,
              })
            : tf.layers.conv2d({
                filters: units,
                kernelSize: l.kernelShape[0],
                activation,
                ...first,
              });
      model.add(layer);
      const weights = [tf.tensor(l.kernel, l.kernelShape), tf.tensor1d(l.bias)];
      if (masked)
        weights.push(
          tf.tensor(
            l.kernel.map((v) => (v === 0 ? 0 : 1)),
            l.kernelShape,
          ),
        );
      layer.setWeights(weights);
      tf.dispose(weights);
    }
  });
  return model;
}

function predict(model: tf.Sequential, x: tf.Tensor): Float32Array {
  const y = model.predict(x) as tf.Tensor;
  const v = Float32Array.from(y.dataSync());
  y.dispose();
  return v;
}

function expectClose(a: Float32Array, b: Float32Array) {
  expect(a.length).toBe(b.length);
  a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
}

describe('unit scores', () => {
  // Kernel [3, 2]: unit 0 = (1, −2, 2), unit 1 = (0, 3, −4).
  const layer: WeightLayer = {
    kind: 'dense',
    kernel: new Float32Array([1, 0, -2, 3, 2, -4]),
    kernelShape: [3, 2],
    bias: new Float32Array(2),
  };

  it('computes L1 and L2 norms of kernel columns by hand', () => {
    expect(Array.from(unitScores(layer, 'l1'))).toEqual([5, 7]);
    expect(Array.from(unitScores(layer, 'l2'))).toEqual([3, 5]);
  });

  it("'order' ranks by position only: the last units go first, whatever their weights", () => {
    expect(Array.from(unitScores(layer, 'order'))).toEqual([2, 1]);
    const wide = {
      ...layer,
      kernel: new Float32Array(12).fill(1),
      kernelShape: [3, 4] as [number, number],
    };
    expect(unitsToPrune(unitScores(wide, 'order'), 0.5)).toEqual([2, 3]);
  });

  it('computes mean |activation| and activation entropy per unit', () => {
    // 4 samples × 2 units: unit 0 = (0, 1, 0, 1) → 1 bit; unit 1 = (−2, −2, −2, −2) → 0 bits.
    const acts = new Float32Array([0, -2, 1, -2, 0, -2, 1, -2]);
    expect(Array.from(unitScores(layer, 'meanActivation', acts))).toEqual([0.5, 2]);
    expect(Array.from(unitScores(layer, 'activationEntropy', acts))).toEqual([1, 0]);
    // Four distinct values spread over four different bins: log₂ 4 = 2 bits.
    const spread = new Float32Array([0, 0, 1, 0, 2, 0, 3, 0]);
    expect(unitScores(layer, 'activationEntropy', spread)[0]).toBeCloseTo(2, 6);
    expect(() => unitScores(layer, 'meanActivation')).toThrow(/needs activations/);
    expect(() => unitScores(layer, 'meanActivation', new Float32Array(3))).toThrow(
      /\[samples, 2\]/,
    );
  });

  it('picks exactly round(fraction·units) lowest, ties by index, and refuses to prune all', () => {
    const scores = new Float32Array([3, 1, 1, 0, 5, 1]);
    expect(unitsToPrune(scores, 0.5)).toEqual([1, 2, 3]);
    expect(unitsToPrune(scores, 0.34)).toEqual([1, 3]);
    expect(unitsToPrune(scores, 0)).toEqual([]);
    expect(() => unitsToPrune(new Float32Array(4), 0.9)).toThrow(/every unit/);
    expect(() => unitsToPrune(scores, 1)).toThrow(RangeError);
  });
});

describe('removeUnits', () => {
  it('refuses to prune every unit, the output layer, or bad indices', () => {
    const layers: PlainLayer[] = [dense(3, 2, 1, 'relu'), dense(2, 2, 3, 'linear')];
    expect(() => removeUnits(layers, 0, [0, 1])).toThrow(/all 2 units/);
    expect(() => zeroUnits(layers, 0, [1, 0])).toThrow(/disconnect/);
    expect(() => removeUnits(layers, 1, [0])).toThrow(/output layer/);
    expect(() => removeUnits(layers, 0, [2])).toThrow(/0\.\.1/);
    expect(() => removeUnits(layers, 0, [0, 0])).toThrow(/distinct/);
  });

  it('drops the dense rows of a removed channel at every spatial position (NHWC flatten)', () => {
    // conv with 3 channels → flatten of 2 positions → dense: rows s·3 + c.
    const c: WeightLayer = conv(1, 1, 3, 1, 'relu');
    const d: WeightLayer = {
      kind: 'dense',
      kernel: Float32Array.from({ length: 6 }, (_, i) => i),
      kernelShape: [6, 1],
      bias: new Float32Array(1),
    };
    const out = removeUnits([c, { kind: 'flatten' }, d, dense(1, 2, 5, 'linear')], 0, [1]);
    const next = out[2] as WeightLayer;
    expect(next.kernelShape).toEqual([4, 1]);
    expect(Array.from(next.kernel)).toEqual([0, 2, 3, 5]);
    expect((out[0] as WeightLayer).kernelShape).toEqual([1, 1, 1, 2]);
    expect(unitKernelMask([2, 3], [1])).toEqual(new Float32Array([1, 0, 1, 1, 0, 1]));
  });
});

describe('structurally pruned model = masked model', () => {
  it('matches on a dense net (relu, sigmoid with f(0) folded into the next bias)', () => {
    const before = tf.memory().numTensors;
    const layers: PlainLayer[] = [
      dense(4, 6, 10, 'relu'),
      dense(6, 5, 20, 'sigmoid'),
      dense(5, 3, 30, 'linear'),
    ];
    const pruned = removeUnits(removeUnits(layers, 0, [1, 4]), 1, [0, 2]);
    const masked = zeroUnits(zeroUnits(layers, 0, [1, 4]), 1, [0, 2]);
    expect((pruned[1] as WeightLayer).kernelShape).toEqual([4, 3]);
    expect((pruned[2] as WeightLayer).kernelShape).toEqual([3, 3]);
    const small = build(pruned, [4], false);
    const big = build(masked, [4], true);
    const x = tf.tensor2d(randomArray(10 * 4, 40), [10, 4]);
    expectClose(predict(small, x), predict(big, x));
    expect(small.countParams()).toBe(4 * 4 + 4 + (4 * 3 + 3) + (3 * 3 + 3));
    x.dispose();
    small.dispose();
    big.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches on conv → pool → flatten → dense → dense', () => {
    const before = tf.memory().numTensors;
    const layers: PlainLayer[] = [
      conv(3, 1, 4, 50, 'relu'),
      { kind: 'maxpool' },
      { kind: 'flatten' },
      dense(3 * 3 * 4, 5, 60, 'tanh'),
      dense(5, 3, 70, 'linear'),
    ];
    const l1 = unitScores(layers[0] as WeightLayer, 'l1');
    const { layers: step1, removed } = structuredPrune(layers, 0, 0.5, 'l1');
    expect(removed).toEqual(unitsToPrune(l1, 0.5));
    expect(removed.length).toBe(2);
    const pruned = removeUnits(step1, 3, [2]);
    const masked = zeroUnits(zeroUnits(layers, 0, removed), 3, [2]);
    expect((pruned[3] as WeightLayer).kernelShape).toEqual([18, 4]);
    const small = build(pruned, [8, 8, 1], false);
    const big = build(masked, [8, 8, 1], true);
    const x = tf.tensor4d(randomArray(6 * 64, 80), [6, 8, 8, 1]);
    expectClose(predict(small, x), predict(big, x));
    x.dispose();
    small.dispose();
    big.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches on conv(sigmoid) → pool → conv → pool → flatten → dense (conv→conv path)', () => {
    const before = tf.memory().numTensors;
    const layers: PlainLayer[] = [
      conv(3, 2, 3, 90, 'sigmoid'),
      { kind: 'maxpool' },
      conv(2, 3, 4, 100, 'relu'),
      { kind: 'maxpool' },
      { kind: 'flatten' },
      dense(4, 3, 110, 'linear'),
    ];
    const pruned = removeUnits(removeUnits(layers, 0, [0]), 2, [2]);
    const masked = zeroUnits(zeroUnits(layers, 0, [0]), 2, [2]);
    expect((pruned[2] as WeightLayer).kernelShape).toEqual([2, 2, 2, 3]);
    const small = build(pruned, [10, 10, 2], false);
    const big = build(masked, [10, 10, 2], true);
    const x = tf.tensor4d(randomArray(4 * 200, 120), [4, 10, 10, 2]);
    expectClose(predict(small, x), predict(big, x));
    x.dispose();
    small.dispose();
    big.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
