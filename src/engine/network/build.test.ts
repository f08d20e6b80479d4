import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildModel, cnnOutputSide } from './build';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('buildModel', () => {
  it('builds the reference teacher with the hand-counted parameters', () => {
    const model = buildModel(
      {
        kind: 'cnn',
        convs: [
          { filters: 16, kernel: 3 },
          { filters: 32, kernel: 3 },
        ],
        dense: [128],
        activation: 'relu',
      },
      [28, 28, 1],
      10,
      1,
    );
    // conv1 3·3·1·16+16 = 160; conv2 3·3·16·32+32 = 4640; dense 800·128+128 = 102528; logits 128·10+10 = 1290
    expect(model.countParams()).toBe(160 + 4640 + 102528 + 1290);
    expect(model.outputs[0]!.shape).toEqual([null, 10]);
    expect(model.getLayer('flatten').outputShape).toEqual([null, 800]);
    model.dispose();
  });

  it('builds an MLP for 2-D points and outputs logits', () => {
    const model = buildModel({ kind: 'mlp', hidden: [16, 8], activation: 'tanh' }, [2], 3, 1);
    expect(model.countParams()).toBe(2 * 16 + 16 + 16 * 8 + 8 + 8 * 3 + 3);
    const out = tf.tidy(() => model.predict(tf.tensor2d([[5, -5]])) as tf.Tensor);
    // logits, not probabilities: they need not sum to 1
    expect(out.shape).toEqual([1, 3]);
    out.dispose();
    model.dispose();
  });

  it('gives identical weights for the same seed and different ones for another seed', () => {
    const spec = { kind: 'mlp' as const, hidden: [4], activation: 'relu' as const };
    const weights = (seed: number) => {
      const m = buildModel(spec, [2], 2, seed);
      const values = Array.from(m.getWeights()[0]!.dataSync());
      m.dispose();
      return values;
    };
    expect(weights(3)).toEqual(weights(3));
    expect(weights(3)).not.toEqual(weights(4));
  });

  it('computes the spatial side left by conv/pool blocks', () => {
    const spec = {
      kind: 'cnn' as const,
      convs: [
        { filters: 1, kernel: 3 },
        { filters: 1, kernel: 3 },
      ],
      dense: [],
      activation: 'relu' as const,
    };
    expect(cnnOutputSide(spec, 28)).toBe(5);
  });
});
