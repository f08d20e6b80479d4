import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ActivationFakeQuant } from './activation-quant';
import { RunControl } from '../../../engine/train/control';
import type { NamedLayer } from '../../../engine/network/layers';
import { buildFromLayers } from '../../../engine/network/layer-ir';
import type { Range } from './calibrate';
import { buildFakeQuantModel, inputQuantName, predictionAgreement } from './fake-quant-model';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const layers: NamedLayer[] = [
  {
    kind: 'dense',
    name: 'dense1',
    kernel: Float32Array.from([1, -1, 0.5, 2]),
    kernelShape: [2, 2],
    bias: Float32Array.from([0.1, 0]),
    activation: 'relu',
  },
  {
    kind: 'dense',
    name: 'logits',
    kernel: Float32Array.from([1, 0, 0, 1]),
    kernelShape: [2, 2],
    bias: Float32Array.from([0, 0]),
    activation: 'linear',
  },
];

const ranges = new Map<string, Range>([
  ['dense1', { min: -1, max: 1 }],
  ['logits', { min: 0, max: 3 }],
]);

function predictValues(model: tf.LayersModel, x: number[][]): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor2d(x)) as tf.Tensor).dataSync() as Float32Array);
}

describe('buildFakeQuantModel', () => {
  it('puts a calibrated activation fake-quant before every weight layer', () => {
    const before = tf.memory().numTensors;
    const model = buildFakeQuantModel(layers, ranges, 8, [2]);
    expect(model.layers.map((l) => l.name)).toEqual([
      'dense1_input_quant',
      'dense1',
      'logits_input_quant',
      'logits',
    ]);
    const quant = model.getLayer(inputQuantName('logits')) as ActivationFakeQuant;
    expect(quant.getRange()).toEqual({ min: 0, max: 3, calibrated: true });
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('2-bit activations snap inputs to the grid; 16-bit ones are nearly exact', () => {
    const x = [[0.9, 0.2]];
    const plain = buildFromLayers(layers, [2]);
    const exact = predictValues(plain, x);
    const fine = buildFakeQuantModel(layers, ranges, 16, [2]);
    const coarse = buildFakeQuantModel(layers, ranges, 2, [2]);
    const a = predictValues(fine, x);
    a.forEach((v, i) => expect(v).toBeCloseTo(exact[i]!, 3));
    // 2 bits over [−1, 1]: s = 2/3, z = round(1.5) = 2, codes 0..3 → x snaps to [2/3, 0];
    // hidden = relu([2/3 + 0.1, −2/3]) = [0.767, 0]; on [0, 3] at 2 bits (s = 1) → [1, 0].
    // Float: hidden = relu([0.9 + 0.1 + 0.1, −0.9 + 0.4]) = [1.1, 0] → logits [1.1, 0].
    expect(Array.from(predictValues(coarse, x))).toEqual([1, 0]);
    expect(exact[0]).toBeCloseTo(1.1, 5);
    [plain, fine, coarse].forEach((m) => m.dispose());
  });
});

describe('predictionAgreement', () => {
  it('counts examples with the same argmax, with progress', async () => {
    const split = {
      x: Float32Array.from([1, 0, 0, 1, 1, 1, 2, 0]),
      y: new Uint8Array(4),
      count: 4,
    };
    const a = (x: tf.Tensor) => tf.clone(x);
    const b = (x: tf.Tensor) => tf.reverse(x, 1);
    const progress: number[] = [];
    const ctx = { control: new RunControl(), onProgress: (f: number) => progress.push(f) };
    const before = tf.memory().numTensors;
    // argmax a: [0, 1, 0, 0]; argmax b (columns swapped): [1, 0, 0, 1] → rows 2 agree (tie → 0 both)
    expect(await predictionAgreement(a, b, split, [2], ctx, 3)).toBe(0.25);
    expect(progress).toEqual([0.5, 1]);
    expect(await predictionAgreement(a, a, split, [2], ctx)).toBe(1);
    expect(tf.memory().numTensors).toBe(before);
  });
});
