import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { readTaps } from './cpu-mirror';

describe('readTaps', () => {
  it('returns each tapped tensor by key, in tap order, and frees every copy', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const taps = await readTaps((tap) => {
      const x = tf.tensor2d([1, -2, 3, -4], [2, 2]);
      tap('relu', tf.relu(x));
      tap('x', x);
    });
    expect([...taps.keys()]).toEqual(['relu', 'x']);
    expect([...taps.get('relu')!.values]).toEqual([1, 0, 3, 0]);
    expect(taps.get('x')!.shape).toEqual([2, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps the last tensor tapped under a key and frees the earlier one', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    const taps = await readTaps((tap) => {
      tap('h', tf.scalar(1));
      tap('h', tf.scalar(2));
    });
    expect([...taps.get('h')!.values]).toEqual([2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('frees what it kept when the recording throws', async () => {
    await tf.setBackend('cpu');
    const before = tf.memory().numTensors;
    await expect(
      readTaps((tap) => {
        tap('a', tf.ones([3]));
        throw new Error('layer failed');
      }),
    ).rejects.toThrow('layer failed');
    expect(tf.memory().numTensors).toBe(before);
  });
});
