import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../../engine/rng';
import { ActivationFakeQuant } from './activation-quant';
import { FakeQuantConv2D, FakeQuantDense } from './qlayers';
import {
  computeQuantParams,
  dequantize,
  fakeQuantizeArray,
  quantParamsFromRange,
} from '../quantizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomTensor(shape: number[], seed: number): tf.Tensor {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(
    Float32Array.from({ length: n }, () => gaussian(rng)),
    shape,
  );
}

describe('FakeQuantDense', () => {
  it('computes x · Q(W) + b with per-channel 4-bit weights', () => {
    const before = tf.memory().numTensors;
    const layer = new FakeQuantDense({ units: 3, weightBits: 4, seed: 1 });
    const x = randomTensor([5, 4], 2);
    const y = layer.apply(x) as tf.Tensor;
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    const w = layer.getWeights()[0]!.dataSync() as Float32Array;
    const kernelCopy = tf.tensor2d(w, [4, 3]);
    layer.setWeights([kernelCopy, bias]);
    const p = computeQuantParams(w, [4, 3], { bits: 4, scheme: 'symmetric', axis: 1 });
    const wq = tf.tensor2d(fakeQuantizeArray(w, p, [4, 3]), [4, 3]);
    const expected = tf.tidy(() => tf.add(tf.matMul(x as tf.Tensor2D, wq), bias));
    const got = layer.apply(x) as tf.Tensor;
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    // a 4-bit narrow grid has at most 15 distinct values per output channel
    const levels = new Set(
      Array.from(fakeQuantizeArray(w, p, [4, 3])).filter((_, i) => i % 3 === 0),
    );
    expect(levels.size).toBeLessThanOrEqual(15);
    expect(got.shape).toEqual([5, 3]);
    tf.dispose([x, y, bias, kernelCopy, got, wq, expected]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('STE: kernel gradient equals the float dense gradient (all weights inside the grid)', () => {
    const before = tf.memory().numTensors;
    const layer = new FakeQuantDense({ units: 2, weightBits: 3, seed: 3, perChannel: false });
    const x = randomTensor([6, 3], 4);
    tf.dispose(layer.apply(x) as tf.Tensor); // builds the weights
    const kernel = layer.trainableWeights[0]!.read() as tf.Variable;
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor), [kernel]);
    const kernelGrad = grads[kernel.name]!;
    // d Σ(x W) / dW[i, j] = Σ_n x[n, i]
    const colSums = tf.tidy(() => tf.sum(x, 0).dataSync());
    const got = kernelGrad.dataSync();
    for (let i = 0; i < 3; i++)
      for (let j = 0; j < 2; j++) {
        expect(got[i * 2 + j]).toBeCloseTo(colSums[i]!, 5);
      }
    tf.dispose([x, value, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad arguments with readable errors', () => {
    expect(() => new FakeQuantDense({ units: 3, weightBits: 1 })).toThrow(/from 2 to 16/);
    expect(() => new FakeQuantDense({ units: 0 })).toThrow(RangeError);
  });
});

describe('asymmetric weight grids', () => {
  it('min/max: forward is x · ŵ + b on the PTQ asymmetric grid, with integer zero points', async () => {
    const before = tf.memory().numTensors;
    for (const perChannel of [true, false]) {
      const asym = new FakeQuantDense({
        units: 3,
        weightBits: 4,
        perChannel,
        weightScheme: 'asymmetric',
        seed: 13,
      });
      const x = randomTensor([5, 4], 14);
      tf.dispose(asym.apply(x) as tf.Tensor); // builds the weights
      const w = asym.getWeights()[0]!.dataSync() as Float32Array;
      const { codes, params } = await asym.weightQuantization();
      expect(params.qmin).toBe(0);
      expect(params.qmax).toBe(15);
      expect(params.scale).toHaveLength(perChannel ? 3 : 1);
      const ref = computeQuantParams(w, [4, 3], {
        bits: 4,
        scheme: 'asymmetric',
        axis: perChannel ? 1 : null,
      });
      expect(Array.from(params.zeroPoint)).toEqual(Array.from(ref.zeroPoint));
      expect(params.zeroPoint.some((z) => z > 0 && z < 15)).toBe(true); // a real offset
      expect(codes.every((q) => Number.isInteger(q) && q >= 0 && q <= 15)).toBe(true);
      // the integer kernel is exactly what the forward pass computes with
      const wq = dequantize(codes, params, [4, 3]);
      const fake = tf.tidy(() => asym.quantizedKernel().dataSync());
      expect(Array.from(fake)).toEqual(Array.from(wq));
      const got = asym.apply(x) as tf.Tensor;
      const expected = tf.tidy(() => tf.matMul(x as tf.Tensor2D, tf.tensor2d(wq, [4, 3])));
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(got, expected))).dataSync()[0]!);
      expect(diff).toBeLessThan(1e-5);
      tf.dispose([x, got, expected]);
      asym.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('STE mask is exact on the asymmetric grid: a weight beyond (q − z)·s gets no gradient', async () => {
    const before = tf.memory().numTensors;
    const layer = new FakeQuantDense({
      units: 2,
      weightBits: 4,
      perChannel: false,
      weightScheme: 'asymmetric',
      useBias: false,
    });
    const x = randomTensor([6, 2], 15);
    tf.dispose(layer.apply(x) as tf.Tensor);
    // range [−0.3, 1]: s = 1.3/15, z = round(0.3/s) = round(3.46) = 3, so the grid is
    // [−3s, 12s] = [−0.26, 1.04]: u(−0.3) = −0.46 < 0 is clipped, the rest are inside.
    const kernel = tf.tensor2d([-0.3, 1, 0.2, 0.5], [2, 2]);
    layer.setWeights([kernel]);
    expect(Array.from((await layer.weightQuantization()).params.zeroPoint)).toEqual([3]);
    const variable = layer.trainableWeights[0]!.read() as tf.Variable;
    const { value, grads } = tf.variableGrads(
      () => tf.sum(layer.apply(x) as tf.Tensor),
      [variable],
    );
    const colSums = tf.tidy(() => tf.sum(x, 0).dataSync());
    const mask = [0, 1, 1, 1];
    const got = grads[variable.name]!.dataSync();
    for (let i = 0; i < 4; i++) {
      expect(got[i]).toBeCloseTo(colSums[Math.floor(i / 2)]! * mask[i]!, 5);
    }
    expect(got[0]).toBe(0);
    tf.dispose([x, kernel, value, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('LSQ+: scale and zero point start at the min/max grid and learn by the LSQ+ formula', async () => {
    const before = tf.memory().numTensors;
    const layer = new FakeQuantDense({
      units: 3,
      weightBits: 3,
      weightScheme: 'asymmetric',
      weightQuantizer: 'lsq',
      seed: 16,
    });
    const x = randomTensor([7, 4], 17);
    tf.dispose(layer.apply(x) as tf.Tensor);
    expect(layer.trainableWeights.map((w) => w.originalName)).toEqual([
      expect.stringMatching(/kernel$/),
      expect.stringMatching(/bias$/),
      expect.stringMatching(/weight_scale$/),
      expect.stringMatching(/weight_zero_point$/),
    ]);
    const w = layer.getWeights()[0]!.dataSync() as Float32Array;
    const ref = computeQuantParams(w, [4, 3], { bits: 3, scheme: 'asymmetric', axis: 1 });
    expect(Array.from(layer.getWeights()[3]!.dataSync())).toEqual(Array.from(ref.zeroPoint));
    // a smaller step and a shifted zero point push weights off the grid at both ends
    const [sv, zv] = [Array.from(ref.scale, (v) => v * 0.6), [1.3, 6.8, 3.4]];
    const learned = [tf.tensor1d(sv), tf.tensor1d(zv)];
    layer.setWeights([...layer.getWeights().slice(0, 2), ...learned]);
    tf.dispose(learned);
    const params = (await layer.weightQuantization()).params;
    expect(Array.from(params.zeroPoint)).toEqual([1, 7, 3]); // round(z), inside [0, 7]
    const vars = layer.trainableWeights.map((v) => v.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(layer.apply(x) as tf.Tensor), vars);
    // dL/dŵ[i, c] = Σ_n x[n, i]; dz_c = g · Σ_i dL/dŵ[i, c] · (−s_c where clipped)
    const colSums = tf.tidy(() => tf.sum(x, 0).dataSync());
    const g = 1 / Math.sqrt(4 * 7);
    const expected = [0, 0, 0];
    let clipped = 0;
    for (let i = 0; i < 12; i++) {
      const c = i % 3;
      const u = w[i]! / params.scale[c]! + params.zeroPoint[c]!;
      if (u < 0 || u > 7) {
        clipped++;
        expected[c] = expected[c]! - g * colSums[Math.floor(i / 3)]! * params.scale[c]!;
      }
    }
    expect(clipped).toBeGreaterThan(0);
    const dz = grads[vars[3]!.name]!.dataSync();
    expected.forEach((e, c) => expect(dz[c]).toBeCloseTo(e, 5));
    expect(Math.abs(grads[vars[2]!.name]!.dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([x, value, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('the scheme is part of the config and checked', () => {
    const layer = new FakeQuantConv2D({ filters: 2, kernelSize: 2, weightScheme: 'asymmetric' });
    expect(layer.getConfig()).toMatchObject({ weightScheme: 'asymmetric' });
    const copy = FakeQuantConv2D.fromConfig(FakeQuantConv2D, layer.getConfig()) as FakeQuantConv2D;
    expect(copy.weightScheme).toBe('asymmetric');
    expect(new FakeQuantDense({ units: 1 }).weightScheme).toBe('symmetric');
    expect(() => new FakeQuantDense({ units: 1, weightScheme: 'skewed' as 'symmetric' })).toThrow(
      /scheme/,
    );
  });
});

describe('FakeQuantConv2D', () => {
  it('equals conv2d with the per-channel fake-quantized HWIO kernel', () => {
    const before = tf.memory().numTensors;
    const layer = new FakeQuantConv2D({ filters: 4, kernelSize: 3, weightBits: 5, seed: 7 });
    const x = randomTensor([2, 6, 6, 2], 8) as tf.Tensor4D;
    const y = layer.apply(x) as tf.Tensor;
    expect(y.shape).toEqual([2, 4, 4, 4]);
    expect(layer.computeOutputShape([null, 6, 6, 2])).toEqual([null, 4, 4, 4]);
    const w = layer.getWeights()[0]!.dataSync() as Float32Array;
    const p = computeQuantParams(w, [3, 3, 2, 4], { bits: 5, scheme: 'symmetric', axis: 3 });
    expect(p.scale.length).toBe(4);
    const k = tf.tensor4d(fakeQuantizeArray(w, p, [3, 3, 2, 4]), [3, 3, 2, 4]);
    const expected = tf.conv2d(x, k, 1, 'valid');
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(y, expected))).dataSync()[0]!);
    expect(diff).toBeLessThan(1e-5);
    tf.dispose([x, y, k, expected]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('STE + LSQ: kernel gradient is the conv filter gradient; the scale gets one too', () => {
    const before = tf.memory().numTensors;
    const layer = new FakeQuantConv2D({
      filters: 3,
      kernelSize: 2,
      weightQuantizer: 'lsq',
      seed: 9,
    });
    const x = randomTensor([1, 4, 4, 2], 10) as tf.Tensor4D;
    tf.dispose(layer.apply(x) as tf.Tensor);
    const [kernel, , scale] = layer.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(layer.apply(x) as tf.Tensor),
      [kernel!, scale!],
    );
    // the filter gradient of conv2d does not depend on the filter values, so STE ⇒ equal
    const expected = tf.tidy(() =>
      tf.grad((k: tf.Tensor) => tf.sum(tf.conv2d(x, k as tf.Tensor4D, 1, 'valid')))(kernel!),
    );
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(grads[kernel!.name]!, expected))).dataSync());
    expect(diff[0]).toBeLessThan(1e-5);
    expect(grads[scale!.name]!.shape).toEqual([3]);
    expect(Math.abs(grads[scale!.name]!.dataSync()[0]!)).toBeGreaterThan(0);
    tf.dispose([x, value, expected, ...Object.values(grads)]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('same padding and strides give ceil(size / stride)', () => {
    const layer = new FakeQuantConv2D({
      filters: 2,
      kernelSize: [3, 2],
      strides: 2,
      padding: 'same',
    });
    expect(layer.computeOutputShape([null, 7, 8, 3])).toEqual([null, 4, 4, 2]);
  });
});

describe('ActivationFakeQuant', () => {
  it('is identity before calibration, tracks an EMA in training, freezes in inference', () => {
    const before = tf.memory().numTensors;
    const layer = new ActivationFakeQuant({ bits: 4, momentum: 0.5 });
    const a = tf.tensor2d([[-1, 0.3, 2.2]]);
    const b = tf.tensor2d([[-3, 1, 6]]);
    const id = layer.apply(a) as tf.Tensor;
    expect(Array.from(id.dataSync())).toEqual(Array.from(a.dataSync()));
    expect(layer.getRange().calibrated).toBe(false);

    const first = layer.apply(a, { training: true }) as tf.Tensor;
    expect(layer.getRange().min).toBeCloseTo(-1, 6); // first batch sets the range
    expect(layer.getRange().max).toBeCloseTo(2.2, 6);
    const p1 = quantParamsFromRange([-1], [2.2], { bits: 4, scheme: 'asymmetric' });
    const ref1 = fakeQuantizeArray(a.dataSync() as Float32Array, p1);
    first.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref1[i]!, 5));

    const second = layer.apply(b, { training: true }) as tf.Tensor;
    expect(layer.getRange().min).toBeCloseTo(-2, 6); // 0.5·(−1) + 0.5·(−3)
    expect(layer.getRange().max).toBeCloseTo(4.1, 5); // 0.5·2.2 + 0.5·6

    const frozen = layer.apply(b) as tf.Tensor; // inference: clips to the stored range
    expect(layer.getRange().max).toBeCloseTo(4.1, 5);
    const p2 = quantParamsFromRange([-2], [4.1], { bits: 4, scheme: 'asymmetric' });
    const ref2 = fakeQuantizeArray(b.dataSync() as Float32Array, p2);
    frozen.dataSync().forEach((v, i) => expect(v).toBeCloseTo(ref2[i]!, 5));
    expect(frozen.dataSync()[2]).toBeLessThan(4.5); // 6 was clipped

    tf.dispose([a, b, id, first, second, frozen]);
    layer.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('setRange calibrates directly (static PTQ)', () => {
    const layer = new ActivationFakeQuant({ bits: 8 });
    tf.tidy(() => {
      layer.apply(tf.zeros([1])); // builds the range weights
    });
    layer.setRange(0, 2.55);
    const y = tf.tidy(() => layer.apply(tf.tensor1d([0.014, 3])) as tf.Tensor);
    const got = y.dataSync();
    expect(got[0]).toBeCloseTo(0.01, 6);
    expect(got[1]).toBeCloseTo(2.55, 5);
    y.dispose();
    expect(() => layer.setRange(1, 0)).toThrow(RangeError);
    layer.dispose();
  });
});

function buildModel(seed: number): tf.Sequential {
  const model = tf.sequential();
  model.add(new ActivationFakeQuant({ inputShape: [2], bits: 8 }));
  model.add(new FakeQuantDense({ units: 16, activation: 'relu', weightBits: 4, seed }));
  model.add(new ActivationFakeQuant({ bits: 8 }));
  model.add(
    new FakeQuantDense({ units: 2, activation: 'softmax', weightQuantizer: 'lsq', seed: seed + 1 }),
  );
  return model;
}

describe('QAT models', () => {
  it('save / load round trip keeps config, weights and calibrated ranges', async () => {
    const model = buildModel(11);
    const x = randomTensor([8, 2], 12);
    tf.dispose(model.apply(x, { training: true }) as tf.Tensor);
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(loaded.layers.map((l) => l.getClassName())).toEqual([
      'ActivationFakeQuant',
      'FakeQuantDense',
      'ActivationFakeQuant',
      'FakeQuantDense',
    ]);
    expect(loaded.layers[3]!.getConfig()).toEqual(model.layers[3]!.getConfig());
    expect((loaded.layers[2] as ActivationFakeQuant).getRange()).toEqual(
      (model.layers[2] as ActivationFakeQuant).getRange(),
    );
    const before = tf.memory().numTensors;
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    model.dispose();
    loaded.dispose();
  });

  it('a small QAT model learns a toy problem (loss falls) without leaking', async () => {
    const rng = createRng(21);
    const n = 256;
    const xs: number[] = [];
    const ys: number[] = [];
    for (let i = 0; i < n; i++) {
      const p = [rng() * 2 - 1, rng() * 2 - 1];
      xs.push(...p);
      const label = p[0]! * p[1]! > 0 ? 1 : 0; // XOR quadrants
      ys.push(1 - label, label);
    }
    const x = tf.tensor2d(xs, [n, 2]);
    const y = tf.tensor2d(ys, [n, 2]);
    const model = buildModel(5);
    model.compile({ optimizer: tf.train.adam(0.03), loss: 'categoricalCrossentropy' });
    const scaleBefore = model.layers[3]!.getWeights()[2]!.dataSync()[0];
    const fitArgs = { batchSize: 32, shuffle: false, verbose: 0 } as const;
    // one warm-up epoch creates the optimizer's slot variables; after that nothing may grow
    const warmUp = await model.fit(x, y, { ...fitArgs, epochs: 1 });
    const before = tf.memory().numTensors;
    const history = await model.fit(x, y, { ...fitArgs, epochs: 20 });
    expect(tf.memory().numTensors).toBe(before);
    const firstLoss = warmUp.history.loss![0] as number;
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]!).toBeLessThan(0.5 * firstLoss);
    // the LSQ weight scale is trainable and moved; activation ranges were observed
    expect(model.layers[3]!.getWeights()[2]!.dataSync()[0]).not.toBe(scaleBefore);
    expect((model.layers[2] as ActivationFakeQuant).getRange().calibrated).toBe(true);
    tf.dispose([x, y]);
    model.dispose();
  });
});
