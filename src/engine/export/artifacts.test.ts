import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { MaskedDense } from '../../techniques/prune/stage/masked-layers';
import { createRng, gaussian } from '../rng';
import { exportPlainModel, loadExported, modelJson } from './artifacts';
import { fromBase64, toBase64 } from './base64';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const N = 200;

function toyInputs(seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  return tf.tensor2d(
    Float32Array.from({ length: N * 4 }, () => gaussian(rng)),
    [N, 4],
  );
}

function plainModel(): tf.Sequential {
  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [4],
      units: 8,
      activation: 'relu',
      name: 'dense1',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      units: 3,
      name: 'logits',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    }),
  );
  return model;
}

/** Top-1 accuracy of `model` on `x` against labels `y` (fraction 0..1). */
function accuracy(model: tf.LayersModel, x: tf.Tensor, y: Int32Array): number {
  const pred = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).dataSync());
  let hits = 0;
  for (let i = 0; i < y.length; i++) if (pred[i] === y[i]) hits++;
  return hits / y.length;
}

/** Labels: the source model's own argmax flipped for every 4th example (accuracy 0.75). */
function labelsOf(model: tf.LayersModel, x: tf.Tensor): Int32Array {
  const pred = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).dataSync());
  return Int32Array.from(pred, (p, i) => (i % 4 === 0 ? (p + 1) % 3 : p));
}

describe('base64', () => {
  it('round-trips bytes of every length and matches a known encoding', () => {
    expect(toBase64(new TextEncoder().encode('Man').buffer)).toBe('TWFu');
    expect(toBase64(new TextEncoder().encode('Ma').buffer)).toBe('TWE=');
    for (const n of [0, 1, 2, 3, 4, 5, 255]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37) & 255);
      expect(new Uint8Array(fromBase64(toBase64(bytes.buffer)))).toEqual(bytes);
    }
    expect(() => fromBase64('ab$d')).toThrow(/invalid/);
    expect(() => fromBase64('abc')).toThrow(/length/);
  });
});

describe('model export', () => {
  it('a plain export loads in stock tfjs with the same accuracy', async () => {
    const model = plainModel();
    const x = toyInputs(3);
    const y = labelsOf(model, x);
    const before = tf.memory().numTensors;
    const saved = await exportPlainModel(model, [4]);
    expect(saved.weightData.byteLength).toBe((4 * 8 + 8 + 8 * 3 + 3) * 4);
    const json = modelJson(saved);
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    const loaded = await loadExported(saved);
    expect(accuracy(loaded, x, y)).toBe(accuracy(model, x, y));
    expect(accuracy(loaded, x, y)).toBeCloseTo(0.75, 5);
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    x.dispose();
  });

  it('a masked (custom-layer) model exports as stock Dense layers with the mask baked in', async () => {
    const model = tf.sequential();
    const masked = new MaskedDense({ units: 3, inputShape: [4], name: 'dense1', seed: 5 });
    model.add(masked);
    const mask = Float32Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? 1 : 0));
    masked.setMask(mask);
    const x = toyInputs(6);
    const y = labelsOf(model, x);
    const before = tf.memory().numTensors;
    const saved = await exportPlainModel(model, [4]);
    const loaded = await loadExported(saved);
    expect(loaded.layers[0]!.getClassName()).toBe('Dense');
    const kernel = loaded.layers[0]!.getWeights()[0]!.dataSync();
    for (let i = 1; i < 12; i += 2) expect(Math.abs(kernel[i]!)).toBe(0);
    expect(accuracy(loaded, x, y)).toBe(accuracy(model, x, y));
    loaded.dispose();
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
    x.dispose();
  });
});
