import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../rng';
import { ActivationFakeQuant } from './activation-quant';
import { FakeQuantConv2D, FakeQuantDense } from './qlayers';
import { computeQuantParams, fakeQuantizeArray, quantParamsFromRange } from './quantizer';

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
