/**
 * A small graph builder over the protobufjs-generated ONNX types of `onnx-proto`: named
 * initializers from typed arrays (little-endian raw_data, int4 packed two to a byte), nodes with
 * attributes, and the ModelProto encoded to bytes. No protobuf bytes are written by hand.
 */
import onnxProto from 'onnx-proto';
import type { onnx as OnnxTypes } from 'onnx-proto';

const { onnx } = onnxProto;

/** ONNX TensorProto.DataType codes used here (INT4 = 22 is newer than the onnx-proto enum). */
export const DataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  INT4: 22,
} as const;
export type DataTypeCode = (typeof DataType)[keyof typeof DataType];

/** Inclusive integer range of each integer data type. */
export const INTEGER_RANGE: Readonly<Record<number, readonly [number, number]>> = {
  [DataType.UINT8]: [0, 255],
  [DataType.INT8]: [-128, 127],
  [DataType.INT16]: [-32768, 32767],
  [DataType.INT32]: [-(2 ** 31), 2 ** 31 - 1],
  [DataType.INT4]: [-8, 7],
};

/** IR version that goes with an opset: opset 13 → IR 7, opset 21 → IR 10. */
export function irVersionOf(opset: number): number {
  return opset >= 21 ? 10 : opset >= 15 ? 8 : 7;
}

export type AttributeValue = number | number[] | string | { float: number };

function attribute(name: string, value: AttributeValue): OnnxTypes.IAttributeProto {
  const { AttributeType } = onnx.AttributeProto;
  if (typeof value === 'string') {
    return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  }
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: value };
  return { name, type: AttributeType.FLOAT, f: value.float };
}

/** Little-endian bytes of values stored as `dataType` (values must already be in its range). */
function rawBytes(dataType: DataTypeCode, values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  if (dataType === DataType.INT4) {
    const out = new Uint8Array(Math.ceil(n / 2));
    for (let i = 0; i < n; i++) out[i >> 1]! |= (values[i]! & 0x0f) << ((i & 1) * 4);
    return out;
  }
  const width = { 1: 4, 2: 1, 3: 1, 5: 2, 6: 4, 7: 8, 22: 0 }[dataType];
  const out = new Uint8Array(n * width);
  const view = new DataView(out.buffer);
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (dataType === DataType.FLOAT) view.setFloat32(4 * i, v, true);
    else if (dataType === DataType.UINT8) view.setUint8(i, v);
    else if (dataType === DataType.INT8) view.setInt8(i, v);
    else if (dataType === DataType.INT16) view.setInt16(2 * i, v, true);
    else if (dataType === DataType.INT32) view.setInt32(4 * i, v, true);
    else view.setBigInt64(8 * i, BigInt(v), true);
  }
  return out;
}

function checkRange(name: string, dataType: DataTypeCode, values: ArrayLike<number>): void {
  const range = INTEGER_RANGE[dataType];
  if (!range) return;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < range[0] || v > range[1]) {
      throw new RangeError(`Initializer ${name}: ${v} does not fit data type ${dataType}.`);
    }
  }
}

export interface GraphIO {
  name: string;
  /** Dimensions; a string is a symbolic dimension (e.g. 'N' for the batch). */
  shape: (number | string)[];
}

function valueInfo(io: GraphIO): OnnxTypes.IValueInfoProto {
  return {
    name: io.name,
    type: {
      tensorType: {
        elemType: DataType.FLOAT,
        shape: {
          dim: io.shape.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })),
        },
      },
    },
  };
}

/** Collects nodes and initializers with unique names, then encodes the model. */
export class GraphBuilder {
  private readonly nodes: OnnxTypes.INodeProto[] = [];
  private readonly initializers: OnnxTypes.ITensorProto[] = [];
  private readonly used = new Set<string>();

  /** A name not used yet: `base`, else `base_1`, `base_2` … */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Adds a constant tensor; returns its (unique) name. */
  initializer(
    base: string,
    dataType: DataTypeCode,
    dims: readonly number[],
    values: ArrayLike<number>,
  ): string {
    const name = this.unique(base);
    const count = dims.reduce((a, b) => a * b, 1);
    if (count !== values.length) {
      throw new RangeError(`Initializer ${name}: dims [${dims.join(', ')}] ≠ ${values.length}.`);
    }
    checkRange(name, dataType, values);
    this.initializers.push({
      name,
      dataType,
      dims: [...dims],
      rawData: rawBytes(dataType, values),
    });
    return name;
  }

  /** Adds a node reading `inputs` ('' = optional input left out); returns its output name. */
  node(
    opType: string,
    inputs: readonly string[],
    base: string,
    attributes: Readonly<Record<string, AttributeValue | undefined>> = {},
    output?: string,
  ): string {
    const name = this.unique(`${base}/${opType}`);
    const out = output ?? this.unique(`${base}/${opType}_out`);
    if (output !== undefined) this.used.add(output);
    this.nodes.push({
      name,
      opType,
      input: [...inputs],
      output: [out],
      attribute: Object.entries(attributes).flatMap(([k, v]) =>
        v === undefined ? [] : [attribute(k, v)],
      ),
    });
    return out;
  }

  /** The ModelProto as bytes: one graph, default-domain opset `opset`, float inputs / outputs. */
  encode(options: {
    graphName: string;
    inputs: GraphIO[];
    outputs: GraphIO[];
    opset: number;
    docString?: string;
  }): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: irVersionOf(options.opset),
      producerName: 'compression-playground',
      producerVersion: '1',
      docString: options.docString ?? '',
      opsetImport: [{ domain: '', version: options.opset }],
      graph: {
        name: options.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: options.inputs.map(valueInfo),
        output: options.outputs.map(valueInfo),
      },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

/** Decodes ONNX bytes (for tests and inspection): the ModelProto with its graph. */
export function decodeModel(bytes: Uint8Array): OnnxTypes.ModelProto {
  return onnx.ModelProto.decode(bytes);
}
