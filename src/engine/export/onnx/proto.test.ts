import { describe, expect, it } from 'vitest';
import { inspectOnnx } from './inspect';
import { DataType, GraphBuilder, irVersionOf } from './proto';

function oneNodeModel(build: (g: GraphBuilder) => void, opset = 13): Uint8Array {
  const g = new GraphBuilder();
  g.unique('input');
  build(g);
  return g.encode({
    graphName: 't',
    inputs: [{ name: 'input', shape: ['N', 2] }],
    outputs: [{ name: 'logits', shape: ['N', 2] }],
    opset,
  });
}

describe('GraphBuilder', () => {
  it('stores little-endian raw data of each type and reads back through inspectOnnx', () => {
    const bytes = oneNodeModel((g) => {
      g.initializer('f', DataType.FLOAT, [2], [1, -2.5]);
      g.initializer('u8', DataType.UINT8, [2], [0, 255]);
      g.initializer('i8', DataType.INT8, [2], [-128, 127]);
      g.initializer('i16', DataType.INT16, [1], [-2]);
      g.initializer('i32', DataType.INT32, [], [-1]);
      g.initializer('i4', DataType.INT4, [3], [-8, 7, 1]);
      g.node('Identity', ['input'], 'id', {}, 'logits');
    });
    const raw = Object.fromEntries(inspectOnnx(bytes).initializers.map((t) => [t.name, t.raw]));
    expect(Array.from(new Float32Array(raw.f!.slice().buffer))).toEqual([1, -2.5]);
    expect(Array.from(raw.u8!)).toEqual([0, 255]);
    expect(Array.from(raw.i8!)).toEqual([0x80, 0x7f]);
    expect(Array.from(raw.i16!)).toEqual([0xfe, 0xff]);
    expect(Array.from(raw.i32!)).toEqual([0xff, 0xff, 0xff, 0xff]);
    // int4: low nibble first, two's complement: −8 = 0x8, 7 = 0x7, 1 = 0x1
    expect(Array.from(raw.i4!)).toEqual([0x78, 0x01]);
  });

  it('refuses values outside the type and dims that do not match the values', () => {
    const g = new GraphBuilder();
    expect(() => g.initializer('a', DataType.INT8, [1], [128])).toThrow(/128 does not fit/);
    expect(() => g.initializer('b', DataType.INT4, [1], [-9])).toThrow(/-9 does not fit/);
    expect(() => g.initializer('c', DataType.UINT8, [1], [0.5])).toThrow(/0.5 does not fit/);
    expect(() => g.initializer('d', DataType.FLOAT, [2, 2], [1, 2, 3])).toThrow(/dims \[2, 2\]/);
  });

  it('keeps names unique, writes attributes and the opset / IR version pair', () => {
    const bytes = oneNodeModel((g) => {
      expect(g.unique('x')).toBe('x');
      expect(g.unique('x')).toBe('x_1');
      const y = g.node('Flatten', ['input'], 'layer', { axis: 1, skipped: undefined });
      g.node('Gemm', [y, y], 'layer', { alpha: { float: 0.5 }, perm: [1, 0], mode: 'x' }, 'logits');
    }, 21);
    const info = inspectOnnx(bytes);
    expect(info.opset).toBe(21);
    expect(info.irVersion).toBe(10);
    expect(info.nodes.map((n) => n.name)).toEqual(['layer/Flatten', 'layer/Gemm']);
    expect(info.nodes[0]!.attributes).toEqual({ axis: 1 });
    expect(info.nodes[1]!.attributes).toEqual({ alpha: 0.5, perm: [1, 0], mode: 'x' });
    expect(info.nodes[1]!.outputs).toEqual(['logits']);
    expect(info.inputs).toEqual([{ name: 'input', dims: ['N', 2] }]);
    expect(irVersionOf(13)).toBe(7);
  });
});
