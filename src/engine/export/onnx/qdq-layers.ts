/**
 * One dense / conv layer of a QDQ export, in the form onnxruntime fuses:
 * DQ(x) → Conv / Gemm(DQ(w_8bit, per channel), DQ(b_int32, s_x·s_w)) → Q becomes QLinearConv /
 * QGemm. int4 (opt-in) and int16 weights (codes wider than 8 bits: power-of-two, 9–16-bit grids)
 * take the same form at opset 21; onnxruntime 1.30 fuses neither and computes those layers in
 * float on the exactly dequantized weights.
 */
import type { IntegerOp } from './adapter';
import { hwcRowsToChw, hwioToOihw } from './layout';
import type { AttributeValue, GraphBuilder } from './proto';
import { DataType } from './proto';
import { biasScale, dequantizedWeights, weightTensor } from './qdq-tensors';

export type WeightOp = Extract<IntegerOp, { kind: 'dense' | 'conv' }>;

/** |stored code| above which u8·s8 pair sums (255·|w|·2) can pass int16 in AVX2 kernels. */
export const U8S8_SAFE_CODE = 64;

export interface LayerEmit {
  g: GraphBuilder;
  /** Collects the notes of the export (a set: each said once). */
  notes: Set<string>;
  /** 8-bit container; 'auto': int8 where |codes| ≤ 64 (u8·s8 pair sums cannot saturate), else uint8. */
  weightType: 'auto' | 'int8' | 'uint8';
  int4: boolean;
  /** Called when a layer stores int4 or int16 weights (opset 21). */
  useOpset21: () => void;
}

/** Kernel values in ONNX layout: conv HWIO → OIHW; dense rows permuted after a flatten. */
function onnxLayout<T extends Float32Array | Int32Array>(
  op: WeightOp,
  values: T,
  rowsFrom: [number, number, number] | null,
): { values: T; dims: number[] } {
  const s = op.layer.kernelShape;
  const units = s[s.length - 1]!;
  if (op.kind === 'conv') {
    return { values: hwioToOihw(values, s), dims: [units, s[2]!, s[0]!, s[1]!] };
  }
  return {
    values: rowsFrom ? hwcRowsToChw(values, rowsFrom, units) : values,
    dims: [s[0]!, units],
  };
}

function convAttributes(op: WeightOp): Record<string, AttributeValue> {
  const [kh = 1, kw = 1] = op.layer.kernelShape;
  return op.kind === 'conv' ? { kernel_shape: [kh, kw], strides: [1, 1], pads: [0, 0, 0, 0] } : {};
}

/** Real bias b[c] = q_b[c]·s_x·s_w[c] as float (exact codes when wider than int32). */
function realBias(op: WeightOp): Float32Array {
  const { layer } = op;
  const s = biasScale(layer.inputParams.scale[0]!, layer.weightParams.scale);
  return Float32Array.from(layer.wideBias ?? layer.bias, (q, c) => q * s[s.length === 1 ? 0 : c]!);
}

/** The layer with float ŵ and float b: ORT runs it in float between the activation Q/DQ pairs. */
function floatLayer(e: LayerEmit, op: WeightOp, x: string, rows: RowsFrom, out?: string): string {
  const w = onnxLayout(op, dequantizedWeights(op.layer.kernel, op.layer.weightParams), rows);
  const wf = e.g.initializer(`${op.name}/kernel`, DataType.FLOAT, w.dims, w.values);
  const b = realBias(op);
  const bf = e.g.initializer(`${op.name}/bias`, DataType.FLOAT, [b.length], b);
  const type = op.kind === 'conv' ? 'Conv' : 'Gemm';
  return e.g.node(type, [x, wf, bf], op.name, convAttributes(op), out);
}

type RowsFrom = [number, number, number] | null;

/**
 * Emits one weight layer reading x (a DequantizeLinear output on the layer's input grid); the
 * result is the layer's float pre-activation (named `output` when given). Notes say where the
 * stored form differs from the app's codes.
 */
export function emitWeightLayer(
  e: LayerEmit,
  op: WeightOp,
  x: string,
  rowsFrom: RowsFrom,
  output?: string,
): string {
  const { layer, name } = op;
  const bits = layer.weightParams.bits;
  const w4 = e.int4 && bits <= 4 ? weightTensor(layer.kernel, layer.weightParams, 'int4') : null;
  const asInt8 =
    e.weightType === 'uint8' ? null : weightTensor(layer.kernel, layer.weightParams, 'int8');
  const w8 =
    asInt8 && (e.weightType === 'int8' || asInt8.maxAbsCode <= U8S8_SAFE_CODE)
      ? asInt8
      : weightTensor(layer.kernel, layer.weightParams, 'uint8');
  const w16 = w4 || w8 ? null : weightTensor(layer.kernel, layer.weightParams, 'int16');
  const w = w4 ?? w8 ?? w16;
  if (!w || layer.wideBias) {
    e.notes.add(
      `${name}: bias codes do not fit int32 at scale s_x·s_w, so this layer is stored in float; ` +
        'onnxruntime’s optimizer may quantize such weights itself (per-tensor int8) when it ' +
        'fuses the layer, so its results can differ slightly from the app’s',
    );
    return floatLayer(e, op, x, rowsFrom, output);
  }
  if (w4 || w16) {
    e.useOpset21();
    e.notes.add(
      w4
        ? `${name}: ${bits}-bit weights stored as int4 (opset 21); onnxruntime has no fused ` +
            'int4 Conv / Gemm kernel, so it computes this layer in float on the dequantized weights'
        : `${name}: weight codes span more than 8 bits (power-of-two or > 8-bit grid), so they ` +
            'are stored as int16 (opset 21) and onnxruntime computes this layer in float on the ' +
            'dequantized weights',
    );
  } else if (bits < 8) {
    e.notes.add(
      `${name}: ${bits}-bit weight codes stored in 8 bits (values unchanged), so that ` +
        'onnxruntime fuses the layer into an 8-bit kernel',
    );
  }
  if (w.dataType === DataType.INT8 && w.maxAbsCode > U8S8_SAFE_CODE) {
    e.notes.add(
      'int8 weights use codes beyond ±64: onnxruntime’s u8·s8 kernels on x86 CPUs without ' +
        'VNNI can saturate 16-bit pair sums there (uint8 weights give bit-exact results)',
    );
  }
  const perChannel = layer.weightParams.scale.length > 1;
  const channelDims = perChannel ? [w.zeroPoints.length] : [];
  const k = onnxLayout(op, w.codes, rowsFrom);
  const wq = e.g.initializer(`${name}/kernel_q`, w.dataType, k.dims, k.values);
  const ws = e.g.initializer(
    `${name}/kernel_scale`,
    DataType.FLOAT,
    channelDims,
    layer.weightParams.scale,
  );
  const wz = e.g.initializer(`${name}/kernel_zero_point`, w.dataType, channelDims, w.zeroPoints);
  // The channel axis after the layout change: OIHW axis 0; Gemm's B [in, out] axis 1.
  const axis: Record<string, AttributeValue> = perChannel
    ? { axis: op.kind === 'conv' ? 0 : 1 }
    : {};
  const wf = e.g.node('DequantizeLinear', [wq, ws, wz], `${name}/kernel`, axis);
  const units = k.dims[op.kind === 'conv' ? 0 : 1]!;
  const bq = e.g.initializer(`${name}/bias_q`, DataType.INT32, [units], layer.bias);
  const bs = e.g.initializer(
    `${name}/bias_scale`,
    DataType.FLOAT,
    channelDims,
    biasScale(layer.inputParams.scale[0]!, layer.weightParams.scale),
  );
  const bz = e.g.initializer(
    `${name}/bias_zero_point`,
    DataType.INT32,
    channelDims,
    new Int32Array(w.zeroPoints.length),
  );
  const bf = e.g.node(
    'DequantizeLinear',
    [bq, bs, bz],
    `${name}/bias`,
    perChannel ? { axis: 0 } : {},
  );
  const type = op.kind === 'conv' ? 'Conv' : 'Gemm';
  return e.g.node(type, [x, wf, bf], name, convAttributes(op), output);
}
