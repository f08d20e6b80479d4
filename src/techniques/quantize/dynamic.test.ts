import { describe, expect, it } from 'vitest';
import { batchGrid, buildDynamicModel, runDynamicModel } from './dynamic';
import { quantizeLayers } from './weights';
import { dequantize, quantize } from './quantizer';
import type { NamedLayer } from '../../engine/network/layers';

const dense = (
  name: string,
  kernel: number[],
  shape: [number, number],
  bias: number[],
  act: 'relu' | 'linear',
): NamedLayer => ({
  kind: 'dense',
  name,
  kernel: Float32Array.from(kernel),
  kernelShape: shape,
  bias: Float32Array.from(bias),
  activation: act,
});

const config = { bits: 8, scheme: 'symmetric' as const, perChannel: true, powerOfTwo: false };

/** Reference in plain floats: fake-quantize each input on its batch grid, then x̂ · ŵ + b. */
function reference(layers: NamedLayer[], x: Float32Array, batch: number, bits: number) {
  const { layers: q } = quantizeLayers(layers, config);
  let values = x;
  for (const layer of q) {
    if (layer.kind !== 'dense') continue;
    const grid = batchGrid(values, bits);
    const xq = dequantize(quantize(values, grid), grid);
    const [inDim, outDim] = layer.kernelShape;
    const y = new Float32Array(batch * outDim);
    for (let r = 0; r < batch; r++)
      for (let c = 0; c < outDim; c++) {
        let acc = 0;
        for (let i = 0; i < inDim; i++) acc += xq[r * inDim + i]! * layer.kernel[i * outDim + c]!;
        const v = acc + layer.bias[c]!;
        y[r * outDim + c] = layer.activation === 'relu' ? Math.max(0, v) : v;
      }
    values = y;
  }
  return values;
}

describe('dynamic quantization', () => {
  it('the batch grid spans [min(0, min x), max(0, max x)] on 2^b − 1 steps', () => {
    const g = batchGrid(Float32Array.from([0.5, 2, 1]), 8);
    expect(g.scale[0]).toBeCloseTo(2 / 255, 8);
    expect(g.zeroPoint[0]).toBe(0);
    const h = batchGrid(Float32Array.from([-1, 3]), 8);
    expect(h.scale[0]).toBeCloseTo(4 / 255, 8);
    expect(h.zeroPoint[0]).toBe(64); // round(0 − (−1) / (4/255)) = round(63.75)
  });

  it('equals per-batch fake quantization followed by float maths (integer accumulation)', () => {
    const layers = [
      dense('d1', [0.3, -0.7, 1.1, 0.2, -0.4, 0.9], [2, 3], [0.05, -0.1, 0], 'relu'),
      dense('d2', [0.5, -1, 0.25, 0.75, -0.6, 0.1], [3, 2], [0.2, -0.2], 'linear'),
    ];
    const { layers: q, kernels } = quantizeLayers(layers, config);
    const model = buildDynamicModel(q, kernels, 8, [2]);
    const x = Float32Array.from([0.1, -2, 1.5, 0.3, -0.8, 0.9, 2.2, -0.1]);
    const got = runDynamicModel(model, x, 4);
    const want = reference(layers, x, 4, 8);
    expect(got).toHaveLength(8);
    got.forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
  });

  it('a batch has one grid: an example scored alone can differ from the same example in a batch', () => {
    const layers = [dense('d', [1, -1, 0.5, 2], [2, 2], [0, 0], 'linear')];
    const { layers: q, kernels } = quantizeLayers(layers, config);
    const model = buildDynamicModel(q, kernels, 4, [2]);
    const small = Float32Array.from([0.01, 0.02]);
    const alone = runDynamicModel(model, small, 1);
    const together = runDynamicModel(model, Float32Array.from([0.01, 0.02, 100, -50]), 2);
    expect(Array.from(together.slice(0, 2))).not.toEqual(Array.from(alone));
  });

  it('runs conv → maxpool → flatten → dense on NHWC input and rejects a wrong input size', () => {
    const conv: NamedLayer = {
      kind: 'conv',
      name: 'c',
      kernel: Float32Array.from({ length: 9 * 2 }, (_, i) => Math.sin(i)),
      kernelShape: [3, 3, 1, 2],
      bias: Float32Array.from([0.1, -0.1]),
      activation: 'relu',
    };
    const layers: NamedLayer[] = [
      conv,
      { kind: 'maxpool', name: 'p' },
      { kind: 'flatten', name: 'f' },
      dense(
        'o',
        Array.from({ length: 8 * 3 }, (_, i) => Math.cos(i)),
        [8, 3],
        [0, 0, 0],
        'linear',
      ),
    ];
    const { layers: q, kernels } = quantizeLayers(layers, config);
    const model = buildDynamicModel(q, kernels, 8, [6, 6, 1]);
    const x = Float32Array.from({ length: 2 * 36 }, (_, i) => (i % 7) / 7);
    const y = runDynamicModel(model, x, 2);
    expect(y).toHaveLength(2 * 3);
    expect(y.every(Number.isFinite)).toBe(true);
    expect(() => runDynamicModel(model, x.slice(1), 2)).toThrow(/Expected 2 examples/);
  });
});
