import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../../engine/rng';
import { magnitudeMask } from '../magnitude';
import { MaskedConv2D, MaskedDense, isMaskedLayer } from './masked-layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function randomArray(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => gaussian(rng));
}

/** y = x·K + b on plain arrays, K [in, out] row-major. */
function denseRef(x: Float32Array, k: Float32Array, b: Float32Array, n: number): Float32Array {
  const out = b.length;
  const inDim = k.length / out;
  const y = new Float32Array(n * out);
  for (let s = 0; s < n; s++)
    for (let o = 0; o < out; o++) {
      let acc = b[o]!;
      for (let i = 0; i < inDim; i++) acc += x[s * inDim + i]! * k[i * out + o]!;
      y[s * out + o] = acc;
    }
  return y;
}

/** Valid, stride-1 NHWC conv with an HWIO kernel, on plain arrays. */
function convRef(x: Float32Array, xs: number[], k: Float32Array, ks: number[], b: Float32Array) {
  const [n, h, w, c] = xs as [number, number, number, number];
  const [kh, kw, , f] = ks as [number, number, number, number];
  const oh = h - kh + 1;
  const ow = w - kw + 1;
  const y = new Float32Array(n * oh * ow * f);
  for (let s = 0; s < n; s++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++)
        for (let o = 0; o < f; o++) {
          let acc = b[o]!;
          for (let di = 0; di < kh; di++)
            for (let dj = 0; dj < kw; dj++)
              for (let ci = 0; ci < c; ci++)
                acc +=
                  x[((s * h + i + di) * w + j + dj) * c + ci]! *
                  k[((di * kw + dj) * c + ci) * f + o]!;
          y[((s * oh + i) * ow + j) * f + o] = acc;
        }
  return y;
}

function predictValues(model: tf.LayersModel, x: tf.Tensor): Float32Array {
  const y = model.predict(x) as tf.Tensor;
  const values = Float32Array.from(y.dataSync());
  y.dispose();
  return values;
}

/** Trains `steps` full-batch Adam steps on mean squared error. */
async function trainSteps(
  model: tf.LayersModel,
  opt: tf.Optimizer,
  x: tf.Tensor,
  y: tf.Tensor,
  steps: number,
) {
  model.compile({ optimizer: opt, loss: 'meanSquaredError' });
  await model.fit(x, y, { epochs: steps, batchSize: x.shape[0], shuffle: false, verbose: 0 });
}

function layerWeights(layer: tf.layers.Layer): Float32Array[] {
  // getWeights() hands out the live variables: copy their values, never dispose them.
  return layer.getWeights().map((t) => Float32Array.from(t.dataSync()));
}

describe('MaskedDense', () => {
  it('computes relu(x·(K ⊙ M) + b) with hand values', () => {
    const before = tf.memory().numTensors;
    const layer = new MaskedDense({ units: 2, activation: 'relu', inputShape: [3] });
    const model = tf.sequential({ layers: [layer] });
    // K = [[1, 2], [3, 4], [5, 6]], M zeroes K[0][1] and K[2][0]; b = [0.5, -10].
    const k = new Float32Array([1, 2, 3, 4, 5, 6]);
    tf.tidy(() =>
      layer.setWeights([tf.tensor2d(k, [3, 2]), tf.tensor1d([0.5, -10]), tf.ones([3, 2])]),
    );
    layer.setMask(new Float32Array([1, 0, 1, 1, 0, 1]));
    const x = tf.tensor2d([1, 1, 1, 2, 0, 1], [2, 3]);
    // row 1: [1+3+0+0.5, 0+4+6−10] = [4.5, 0]; row 2: [2+0+0+0.5, 0+0+6−10 → relu 0] = [2.5, 0].
    expect(Array.from(predictValues(model, x))).toEqual([4.5, 0, 2.5, 0]);
    expect(Array.from(layer.maskedKernelValues())).toEqual([1, 0, 3, 4, 0, 6]);
    expect(Array.from(layerWeights(layer)[0]!)).toEqual(Array.from(k)); // raw kernel untouched
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps pruned weights at exactly zero through 50 Adam steps despite momentum', async () => {
    const before = tf.memory().numTensors;
    const model = tf.sequential({
      layers: [
        new MaskedDense({ units: 8, activation: 'tanh', inputShape: [4], seed: 1 }),
        new MaskedDense({ units: 3, seed: 2 }),
      ],
    });
    const first = model.layers[0] as MaskedDense;
    const x = tf.tensor2d(randomArray(32 * 4, 3), [32, 4]);
    const y = tf.tensor2d(randomArray(32 * 3, 4), [32, 3]);
    const opt = tf.train.adam(0.05);
    await trainSteps(model, opt, x, y, 10); // dense warm-up builds Adam moments everywhere
    const mask = magnitudeMask(layerWeights(first)[0]!, 0.5);
    first.setMask(mask);
    const kernelAtMask = layerWeights(first)[0]!;
    await trainSteps(model, opt, x, y, 50);
    const [kernel, bias] = layerWeights(first) as [Float32Array, Float32Array];
    const effective = first.maskedKernelValues();
    let movedWhilePruned = 0;
    mask.forEach((m, i) => {
      if (m === 0) {
        expect(Math.abs(effective[i]!)).toBe(0); // −0 is fine: exactly zero
        if (kernel[i] !== kernelAtMask[i]) movedWhilePruned++;
      } else expect(effective[i]).toBe(kernel[i]);
    });
    expect(effective.filter((v) => v === 0).length).toBe(16);
    // Adam's first moment kept pushing the raw kernel: only the mask keeps those weights at 0.
    expect(movedWhilePruned).toBeGreaterThan(0);
    expect(Array.from(first.getMask())).toEqual(Array.from(mask));
    // The forward pass is tanh(x·(K ⊙ M) + b).
    const pre = denseRef(x.dataSync() as Float32Array, effective, bias, 32);
    const hidden = tf.tidy(() => first.apply(x) as tf.Tensor);
    const got = hidden.dataSync();
    pre.forEach((v, i) => expect(got[i]).toBeCloseTo(Math.tanh(v), 5));
    hidden.dispose();
    x.dispose();
    y.dispose();
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('has ∂L/∂K = finite differences at kept weights and exactly 0 at pruned ones', () => {
    const before = tf.memory().numTensors;
    const layer = new MaskedDense({ units: 2, inputShape: [3], seed: 5 });
    const model = tf.sequential({ layers: [layer] });
    const mask = new Float32Array([1, 0, 0, 1, 1, 1]);
    layer.setMask(mask);
    const x = tf.tensor2d(randomArray(4 * 3, 6), [4, 3]);
    const kernelVar = layer.trainableWeights[0]!.read() as tf.Variable;
    const loss = () => tf.tidy(() => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar);
    const { grads, value } = tf.variableGrads(loss, [kernelVar]);
    const g = Float32Array.from(grads[kernelVar.name]!.dataSync());
    tf.dispose([value, ...Object.values(grads)]);
    const [k0, b0, m0] = layerWeights(layer) as [Float32Array, Float32Array, Float32Array];
    const eps = 1e-2;
    const lossAt = (k: Float32Array) => {
      tf.tidy(() =>
        layer.setWeights([tf.tensor2d(k, [3, 2]), tf.tensor1d(b0), tf.tensor2d(m0, [3, 2])]),
      );
      const l = loss();
      const v = l.dataSync()[0]!;
      l.dispose();
      return v;
    };
    for (let i = 0; i < 6; i++) {
      const plus = Float32Array.from(k0);
      const minus = Float32Array.from(k0);
      plus[i]! += eps;
      minus[i]! -= eps;
      const fd = (lossAt(plus) - lossAt(minus)) / (2 * eps);
      if (mask[i] === 0) expect(Math.abs(g[i]!)).toBe(0);
      else expect(g[i]).toBeCloseTo(fd, 2);
    }
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('applies a mask set before build, bakes it into the kernel, and rejects bad masks', () => {
    const before = tf.memory().numTensors;
    const layer = new MaskedDense({ units: 2, inputShape: [2], seed: 7 });
    layer.setMask(new Float32Array([0, 1, 1, 0]));
    const model = tf.sequential({ layers: [layer] });
    expect(Array.from(layer.getMask())).toEqual([0, 1, 1, 0]);
    const x = tf.tensor2d([1, 2, -3, 0.5], [2, 2]);
    const out = predictValues(model, x);
    const raw = layerWeights(layer)[0]!;
    layer.bakeMask();
    const baked = layerWeights(layer)[0]!;
    expect(Array.from(baked, Math.abs)).toEqual([0, Math.abs(raw[1]!), Math.abs(raw[2]!), 0]);
    expect(baked[1]).toBe(raw[1]);
    expect(Array.from(predictValues(model, x))).toEqual(Array.from(out));
    expect(() => layer.setMask(new Float32Array(3))).toThrow(/needs 4 entries/);
    expect(() => layer.setMask(new Float32Array([0.5, 1, 1, 1]))).toThrow(/only 0 and 1/);
    expect(isMaskedLayer(layer)).toBe(true);
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('MaskedConv2D', () => {
  it('keeps pruned filter weights at zero through 50 Adam steps and convolves K ⊙ M', async () => {
    const before = tf.memory().numTensors;
    const conv = new MaskedConv2D({
      filters: 3,
      kernelSize: 3,
      activation: 'relu',
      inputShape: [6, 6, 2],
      seed: 11,
    });
    const model = tf.sequential({
      layers: [conv, tf.layers.flatten(), new MaskedDense({ units: 2, seed: 12 })],
    });
    expect(conv.computeOutputShape([null, 6, 6, 2])).toEqual([null, 4, 4, 3]);
    const x = tf.tensor4d(randomArray(8 * 6 * 6 * 2, 13), [8, 6, 6, 2]);
    const y = tf.tensor2d(randomArray(8 * 2, 14), [8, 2]);
    const opt = tf.train.adam(0.05);
    await trainSteps(model, opt, x, y, 5);
    const mask = magnitudeMask(layerWeights(conv)[0]!, 0.7);
    conv.setMask(mask);
    await trainSteps(model, opt, x, y, 50);
    const [kernel, bias] = layerWeights(conv) as [Float32Array, Float32Array];
    const effective = conv.maskedKernelValues();
    mask.forEach((m, i) =>
      expect(m === 0 ? Math.abs(effective[i]!) : effective[i]).toBe(m === 0 ? 0 : kernel[i]),
    );
    expect(effective.filter((v) => v === 0).length).toBe(Math.round(0.7 * 54));
    const ref = convRef(x.dataSync() as Float32Array, [8, 6, 6, 2], effective, [3, 3, 2, 3], bias);
    const outT = tf.tidy(() => conv.apply(x) as tf.Tensor);
    const got = outT.dataSync();
    ref.forEach((v, i) => expect(got[i]).toBeCloseTo(Math.max(0, v), 4));
    outT.dispose();
    x.dispose();
    y.dispose();
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('save and load', () => {
  it('round-trips config, kernel, bias and mask through model.save / loadLayersModel', async () => {
    const before = tf.memory().numTensors;
    const conv = new MaskedConv2D({
      filters: 2,
      kernelSize: [2, 3],
      activation: 'sigmoid',
      inputShape: [5, 5, 1],
      name: 'mconv',
    });
    const dense = new MaskedDense({ units: 3, activation: 'tanh', name: 'mdense', seed: 4 });
    const model = tf.sequential({ layers: [conv, tf.layers.flatten(), dense] });
    conv.setMask(magnitudeMask(layerWeights(conv)[0]!, 0.5));
    dense.setMask(magnitudeMask(layerWeights(dense)[0]!, 0.25));
    expect(dense.getConfig()).toMatchObject({
      units: 3,
      activation: 'tanh',
      seed: 4,
      name: 'mdense',
    });
    expect(conv.getConfig()).toMatchObject({
      filters: 2,
      kernelSize: [2, 3],
      activation: 'sigmoid',
    });
    let saved: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const [lConv, , lDense] = loaded.layers;
    expect(lConv).toBeInstanceOf(MaskedConv2D);
    expect(lDense).toBeInstanceOf(MaskedDense);
    expect(lDense!.getConfig()).toEqual(dense.getConfig());
    expect(lConv!.getConfig()).toEqual(conv.getConfig());
    expect(Array.from((lDense as MaskedDense).getMask())).toEqual(Array.from(dense.getMask()));
    expect(Array.from((lConv as MaskedConv2D).getMask())).toEqual(Array.from(conv.getMask()));
    expect(lConv!.trainableWeights.length).toBe(2);
    expect(lConv!.nonTrainableWeights.length).toBe(1);
    const x = tf.tensor4d(randomArray(3 * 25, 21), [3, 5, 5, 1]);
    expect(Array.from(predictValues(loaded, x))).toEqual(Array.from(predictValues(model, x)));
    x.dispose();
    loaded.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
