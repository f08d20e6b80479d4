import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './build';
import { buildFromLayers, extractLayers } from './layer-ir';
import { layerMacs } from './layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cnn = {
  kind: 'cnn' as const,
  convs: [{ filters: 4, kernel: 3 }],
  dense: [8],
  activation: 'relu' as const,
};

describe('plain layers', () => {
  it('round-trips a CNN: same outputs after extract → build', () => {
    const model = buildModel(cnn, [10, 10, 1], 3, 2);
    const layers = extractLayers(model);
    expect(layers.map((l) => l.kind)).toEqual(['conv', 'maxpool', 'flatten', 'dense', 'dense']);
    expect(layers.map((l) => l.name)).toEqual(['conv1', 'pool1', 'flatten', 'dense1', 'logits']);
    const rebuilt = buildFromLayers(layers, [10, 10, 1]);
    const x = tf.randomUniform([2, 10, 10, 1], 0, 1, 'float32', 3);
    const a = model.predict(x) as tf.Tensor;
    const b = rebuilt.predict(x) as tf.Tensor;
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).toBeLessThan(1e-6);
    tf.dispose([x, a, b]);
    model.dispose();
    rebuilt.dispose();
  });

  it('counts MACs by hand and scales effective MACs by density', () => {
    const model = buildModel(cnn, [10, 10, 1], 3, 2);
    const layers = extractLayers(model);
    // conv 8·8·9·1·4 = 2304; pool → 4×4×4 = 64; dense 64·8 = 512; logits 8·3 = 24
    expect(layerMacs(layers, [10, 10, 1]).macs).toBe(2304 + 512 + 24);
    const dense = layers[3]!;
    if (dense.kind !== 'dense') throw new Error('expected dense');
    dense.kernel.fill(0, 0, dense.kernel.length / 2);
    expect(layerMacs(layers, [10, 10, 1]).effectiveMacs).toBe(2304 + 256 + 24);
    model.dispose();
  });
});
