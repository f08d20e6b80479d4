import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedLayer } from './adapter';
import { exportModelOnnx, modelOnnxSupport } from './from-model';
import { inspectOnnx } from './inspect';
import { onnxSupport } from './support';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const dense = (name: string, rows: number, units: number, fill = 0.1): NamedLayer => ({
  kind: 'dense',
  name,
  kernel: new Float32Array(rows * units).fill(fill),
  kernelShape: [rows, units],
  bias: new Float32Array(units),
  activation: 'linear',
});

describe('onnxSupport (float)', () => {
  it('null for layers it can write', () => {
    expect(onnxSupport({ kind: 'float', layers: [dense('logits', 2, 3)], inputShape: [2] })).toBe(
      null,
    );
  });

  it('a reason for what it cannot express', () => {
    const reason = (layers: NamedLayer[], inputShape: number[]) =>
      onnxSupport({ kind: 'float', layers, inputShape });
    expect(reason([], [2])).toBe('The model has no layers to export.');
    expect(reason([dense('logits', 3, 2)], [2])).toBe(
      'Dense layer logits expects 3 inputs but gets 2.',
    );
    expect(reason([dense('logits', 4, 2)], [2, 2, 1])).toMatch(/needs a flatten first/);
    expect(reason([dense('logits', 4, 2)], [2, 2])).toMatch(/\[features\] or \[height/);
    expect(reason([dense('logits', 2, 3, NaN)], [2])).toBe(
      'Layer logits holds NaN or infinite weights.',
    );
  });
});

describe('from a tfjs model', () => {
  it('exports a sequential model; names a layer it cannot read', () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [2], units: 3, name: 'logits' })],
    });
    expect(modelOnnxSupport(model, [2])).toBeNull();
    const info = inspectOnnx(exportModelOnnx(model, [2]));
    expect(info.nodes.map((n) => n.opType)).toEqual(['Gemm']);
    const withDropout = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [2], units: 3, name: 'dense1' }),
        tf.layers.dropout({ rate: 0.5, name: 'drop' }),
      ],
    });
    expect(modelOnnxSupport(withDropout, [2])).toMatch(/drop \(Dropout\) cannot be read/);
    expect(() => exportModelOnnx(withDropout, [2])).toThrow(/Dropout/);
    model.dispose();
    withDropout.dispose();
  });
});
