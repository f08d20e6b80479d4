import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { calibrateRanges } from './calibrate';
import { predictionAgreement } from './fake-quant-model';
import { blobs, testContext } from '../../../engine/network/test-fixtures';
import type { NamedLayer } from '../../../engine/network/layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('quantization helpers free their batches when something inside throws', () => {
  it('predictionAgreement with a predictor that fails', async () => {
    const data = blobs(64, 40);
    const ctx = testContext(data, tf.sequential());
    const before = tf.memory().numTensors;
    const fails = () => {
      throw new Error('the integer engine trapped');
    };
    const ok = (x: tf.Tensor) => tf.zeros([x.shape[0]!, 3]);
    await expect(predictionAgreement(ok, fails, data.test, data.inputShape, ctx)).rejects.toThrow(
      'trapped',
    );
    expect(tf.memory().numTensors).toBe(before);
  });

  it('calibrateRanges when a layer cannot run on its input', async () => {
    const data = blobs(64, 40);
    const ctx = testContext(data, tf.sequential());
    // A dense kernel for 5 inputs on 2-D points: the forward pass throws on the first batch.
    const layers: NamedLayer[] = [
      {
        kind: 'dense',
        name: 'dense1',
        kernel: new Float32Array(5 * 3),
        kernelShape: [5, 3],
        bias: new Float32Array(3),
      },
    ];
    const before = tf.memory().numTensors;
    await expect(
      calibrateRanges(ctx, layers, 32, { observer: 'minmax', emaMomentum: 0.9, percentile: 100 }),
    ).rejects.toThrow();
    expect(tf.memory().numTensors).toBe(before);
  });
});
