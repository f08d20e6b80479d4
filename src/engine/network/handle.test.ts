import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from './build';
import { cloneModel, fp32Storage, handleFromModel } from './handle';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('model handles', () => {
  it('clones a model into new variables with equal outputs', async () => {
    const model = buildModel({ kind: 'mlp', hidden: [4], activation: 'relu' }, [2], 3, 1);
    const copy = await cloneModel(model);
    const x = tf.tensor2d([[0.3, -0.7]]);
    const a = model.predict(x) as tf.Tensor;
    const b = copy.predict(x) as tf.Tensor;
    expect(Array.from(b.dataSync())).toEqual(Array.from(a.dataSync()));
    copy.setWeights(copy.getWeights().map((w) => tf.zerosLike(w)));
    expect(Array.from((model.predict(x) as tf.Tensor).dataSync())).toEqual(
      Array.from(a.dataSync()),
    );
    tf.dispose([x, a, b]);
    model.dispose();
    copy.dispose();
  });

  it('counts fp32 storage and MACs of a plain model', () => {
    const spec = { kind: 'mlp' as const, hidden: [4], activation: 'relu' as const };
    const model = buildModel(spec, [2], 3, 1);
    const storage = fp32Storage(model);
    expect(storage.map((s) => s.shape)).toEqual([[2, 4], [4], [4, 3], [3]]);
    expect(storage.every((s) => s.bits === 32)).toBe(true);
    const handle = handleFromModel(model, spec, [2], 3, 'teacher');
    expect(handle.macs).toBe(2 * 4 + 4 * 3);
    model.dispose();
  });
});
