/**
 * A plain, fully typed view of an ONNX file (numbers instead of Longs, no optional fields): what
 * the tests check and what a UI could list (opset, inputs, nodes, initializers with their types).
 */
import type { onnx as OnnxTypes } from 'onnx-proto';
import { decodeModel } from './proto';

export interface OnnxTensorInfo {
  name: string;
  /** TensorProto.DataType code, e.g. 1 float, 2 uint8, 3 int8, 5 int16, 6 int32, 22 int4. */
  dataType: number;
  dims: number[];
  raw: Uint8Array;
}

export interface OnnxNodeInfo {
  name: string;
  opType: string;
  /** '' for the default ONNX domain, e.g. 'com.microsoft' for onnxruntime's fused ops. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: Record<string, number | number[] | string>;
}

export interface OnnxModelInfo {
  irVersion: number;
  opset: number;
  inputs: { name: string; dims: (number | string)[] }[];
  outputs: { name: string; dims: (number | string)[] }[];
  nodes: OnnxNodeInfo[];
  initializers: OnnxTensorInfo[];
}

const num = (v: number | { toNumber(): number } | null | undefined) =>
  v === null || v === undefined ? 0 : typeof v === 'number' ? v : v.toNumber();

function io(v: OnnxTypes.IValueInfoProto): { name: string; dims: (number | string)[] } {
  const dims = v.type?.tensorType?.shape?.dim ?? [];
  return { name: v.name ?? '', dims: dims.map((d) => d.dimParam || num(d.dimValue)) };
}

/** AttributeProto.AttributeType codes read here. */
const FLOAT = 1;
const STRING = 3;
const INTS = 7;

function attributeValue(a: OnnxTypes.IAttributeProto): number | number[] | string {
  if (a.type === INTS) return (a.ints ?? []).map(num);
  if (a.type === FLOAT) return a.f ?? 0;
  if (a.type === STRING) return new TextDecoder().decode(a.s ?? new Uint8Array());
  return num(a.i);
}

/** Reads ONNX bytes into OnnxModelInfo: opset of the default domain, graph I/O, nodes, tensors. */
export function inspectOnnx(bytes: Uint8Array): OnnxModelInfo {
  const model = decodeModel(bytes);
  const graph = model.graph ?? {};
  const opset = (model.opsetImport ?? []).find((o) => !o.domain);
  return {
    irVersion: num(model.irVersion),
    opset: num(opset?.version),
    inputs: (graph.input ?? []).map(io),
    outputs: (graph.output ?? []).map(io),
    nodes: (graph.node ?? []).map((n) => ({
      name: n.name ?? '',
      opType: n.opType ?? '',
      domain: n.domain ?? '',
      inputs: n.input ?? [],
      outputs: n.output ?? [],
      attributes: Object.fromEntries(
        (n.attribute ?? []).map((a) => [a.name ?? '', attributeValue(a)]),
      ),
    })),
    initializers: (graph.initializer ?? []).map((t) => ({
      name: t.name ?? '',
      dataType: t.dataType ?? 0,
      dims: (t.dims ?? []).map(num),
      // A copy: in Node the decoder hands out Buffer views into one shared pool.
      raw: Uint8Array.from(t.rawData ?? []),
    })),
  };
}
