import { describe, expect, it } from 'vitest';
import {
  hwcRowsToChw,
  hwioToOihw,
  integerShapeOps,
  nhwcToNchw,
  onnxInputShape,
  permutedRows,
  walkShapes,
} from './layout';

const iota = (n: number) => Float32Array.from({ length: n }, (_, i) => i);

describe('tfjs → ONNX layout', () => {
  it('HWIO → OIHW: out[o, i, y, x] = k[y, x, i, o], by hand for a [1, 2, 2, 3] kernel', () => {
    // k[y=0, x, i, o] = 6x + 3i + o
    const out = hwioToOihw(iota(12), [1, 2, 2, 3]);
    // o = 0: (i=0: x=0,1) (i=1: x=0,1) …
    expect(Array.from(out)).toEqual([0, 6, 3, 9, 1, 7, 4, 10, 2, 8, 5, 11]);
    expect(hwioToOihw(Int32Array.from([5, -1]), [1, 1, 1, 2])).toBeInstanceOf(Int32Array);
  });

  it('dense rows (h, w, c) → (c, h, w): row (k·h + y)·w + x comes from row (y·w + x)·c + k', () => {
    // [h, w, c] = [1, 2, 2], one unit: rows r = (x·2 + k) hold the value r
    const out = hwcRowsToChw(iota(4), [1, 2, 2], 1);
    // (c=0: x=0, x=1), (c=1: x=0, x=1) = rows 0, 2, 1, 3
    expect(Array.from(out)).toEqual([0, 2, 1, 3]);
    // two units travel with their row
    expect(Array.from(hwcRowsToChw(iota(8), [1, 2, 2], 2))).toEqual([0, 1, 4, 5, 2, 3, 6, 7]);
    expect(() => hwcRowsToChw(iota(5), [1, 2, 2], 1)).toThrow(RangeError);
  });

  it('NHWC → NCHW batches: the same pixel lands at [n, c, y, x]', () => {
    // batch 2 of [h, w, c] = [1, 2, 2]
    const out = nhwcToNchw(iota(8), 2, [1, 2, 2]);
    expect(Array.from(out)).toEqual([0, 2, 1, 3, 4, 6, 5, 7]);
  });

  it('walks shapes and names the op that does not fit', () => {
    const ops = [
      { kind: 'conv' as const, name: 'conv1', kernelShape: [3, 2, 1, 4] },
      { kind: 'maxpool' as const },
      { kind: 'flatten' as const },
      { kind: 'dense' as const, name: 'dense1', kernelShape: [36, 5] },
      { kind: 'dense' as const, name: 'logits', kernelShape: [5, 2] },
    ];
    const steps = walkShapes(ops, [8, 7, 1]);
    expect(steps.map((s) => s.output)).toEqual([[6, 6, 4], [3, 3, 4], [36], [5], [2]]);
    expect(steps[2]!.flattened).toEqual([3, 3, 4]);
    // only the first dense after a flatten of a multi-channel tensor is permuted
    expect(permutedRows(ops, steps)).toEqual([null, null, null, [3, 3, 4], null]);
    expect(() => walkShapes(ops, [10, 7, 1])).toThrow(
      'Dense layer dense1 expects 36 inputs but gets 48.',
    );
    expect(() => walkShapes(ops.slice(0, 2), [8, 7, 1])).toThrow(/ends with a \[3, 3, 4\] tensor/);
    expect(() => walkShapes(ops, [8, 7, 2])).toThrow(/Conv layer conv1 .* cannot read/);
    expect(() => walkShapes(ops.slice(3), [6, 6, 1])).toThrow(/needs a flatten first/);
  });

  it('a one-channel flatten needs no permutation; ONNX input dims put channels first', () => {
    const ops = [{ kind: 'flatten' as const }, { kind: 'dense' as const, kernelShape: [12, 2] }];
    expect(permutedRows(ops, walkShapes(ops, [3, 4, 1]))).toEqual([null, null]);
    expect(onnxInputShape([28, 28, 1])).toEqual(['N', 1, 28, 28]);
    expect(onnxInputShape([2])).toEqual(['N', 2]);
    expect(() => onnxInputShape([4, 4])).toThrow(/\[features\] or \[height, width, channels\]/);
    const shapeOps = integerShapeOps([
      { kind: 'dense', name: 'logits', layer: { kernelShape: [2, 3] } },
      { kind: 'flatten' },
    ]);
    expect(shapeOps).toEqual([
      { kind: 'dense', name: 'logits', kernelShape: [2, 3] },
      { kind: 'flatten' },
    ]);
  });
});
