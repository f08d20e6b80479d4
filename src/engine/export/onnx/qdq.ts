/**
 * QDQ ONNX export of the converted integer model: integer weights as initializers behind
 * per-channel DequantizeLinear, activations through QuantizeLinear → DequantizeLinear on the
 * app's grids, int32 biases at scale s_x·s_w[c]. onnxruntime's graph optimizer fuses each
 * DQ → Conv / Gemm → Q group into QLinearConv / QGemm, and runs MaxPool / Flatten on the codes.
 */
import type { IntegerModel, QuantParams } from './adapter';
import type { OnnxExportOptions } from './float';
import { activationOp } from './float';
import { integerShapeOps, onnxInputShape, permutedRows, walkShapes } from './layout';
import { DataType, GraphBuilder } from './proto';
import type { LayerEmit } from './qdq-layers';
import { emitWeightLayer } from './qdq-layers';
import { assertQdqExportable, checkActivationGrid } from './support';

/** Opset of a QDQ export: 13, or 21 when int4 or int16 weights are stored. */
export const QDQ_OPSET = 13;
export const INT4_INT16_OPSET = 21;

export interface QdqExportOptions extends OnnxExportOptions {
  /**
   * Container of ≤ 8-bit weight codes. 'auto' (default): int8 where every |code| ≤ 64, else
   * uint8 (codes and zero points + 128, same values): onnxruntime's u8·s8 kernels on x86 CPUs
   * without VNNI saturate 16-bit pair sums of full-range int8 weights, its u8·u8 ones do not.
   * 'int8' / 'uint8' force one container (int8 is the usual QDQ form, fastest with VNNI / ARM).
   */
  weightType?: 'auto' | 'int8' | 'uint8';
  /**
   * Store ≤ 4-bit weight codes as int4 (opset 21) for a smaller file; default false, because
   * onnxruntime 1.30 fuses no int4 QDQ Conv / Gemm / MatMul (it dequantizes them to float), while
   * widened to int8 the same codes run in QLinearConv / QGemm.
   */
  int4?: boolean;
}

export interface QdqExport {
  bytes: Uint8Array;
  /** Where the file differs from the app's integer model, in words (empty when it does not). */
  notes: string[];
  opset: number;
}

const sameGrid = (a: QuantParams, b: QuantParams) =>
  a.scale[0] === b.scale[0] && a.zeroPoint[0] === b.zeroPoint[0];

/**
 * Exports an integer model as QDQ ONNX: input [N, C, H, W] / [N, F] float, output 'logits'
 * [N, classes] ≈ runIntegerModel's, y = (Σ (q_x − z_x)(q_w − z_w) + q_b)·s_x·s_w per layer.
 */
export function exportQdqOnnx(model: IntegerModel, options: QdqExportOptions = {}): QdqExport {
  assertQdqExportable(model);
  const ops = model.ops;
  const shapeOps = integerShapeOps(ops);
  const rowsFrom = permutedRows(shapeOps, walkShapes(shapeOps, model.inputShape));
  const g = new GraphBuilder();
  let opset = QDQ_OPSET;
  const emit: LayerEmit = {
    g,
    notes: new Set<string>(),
    weightType: options.weightType ?? 'auto',
    int4: options.int4 ?? false,
    useOpset21: () => {
      opset = INT4_INT16_OPSET;
    },
  };
  const grids: [QuantParams, [string, string]][] = [];

  /** Scale and zero-point initializers of an activation grid, shared by all its Q / DQ nodes. */
  const gridTensors = (grid: QuantParams, base: string): [string, string] => {
    const known = grids.find(([p]) => sameGrid(p, grid));
    if (known) return known[1];
    const type = checkActivationGrid(grid, base);
    const pair: [string, string] = [
      g.initializer(`${base}/scale`, DataType.FLOAT, [], grid.scale),
      g.initializer(`${base}/zero_point`, type, [], grid.zeroPoint),
    ];
    grids.push([grid, pair]);
    if (grid.bits < 8) {
      emit.notes.add(
        `${grid.bits}-bit activation grids are stored in uint8 with the same scale and zero ` +
          `point: values above the calibrated range clamp at code 255, not at ${grid.qmax}`,
      );
    }
    return pair;
  };
  const quantDequant = (x: string, grid: QuantParams, base: string): string => {
    const [s, z] = gridTensors(grid, `${base}_grid`);
    const q = g.node('QuantizeLinear', [x, s, z], base);
    return g.node('DequantizeLinear', [q, s, z], base);
  };

  const inputName = options.inputName ?? 'input';
  g.unique(inputName);
  let x = inputName;
  /** The grid x is the DequantizeLinear output of, if it is one. */
  let onGrid: QuantParams | null = null;
  ops.forEach((op, i) => {
    if (op.kind === 'maxpool' || op.kind === 'flatten') {
      // DQ → MaxPool / Flatten → Q on one grid: ORT drops the pair and runs them on the codes.
      const pool = op.kind === 'maxpool';
      const attrs = pool ? { kernel_shape: [2, 2], strides: [2, 2] } : { axis: 1 };
      x = g.node(pool ? 'MaxPool' : 'Flatten', [x], `${op.kind}${i}`, attrs);
      onGrid = null;
      return;
    }
    const { layer, name } = op;
    if (!onGrid || !sameGrid(onGrid, layer.inputParams)) {
      x = quantDequant(x, layer.inputParams, `${name}/input`);
    }
    const act = activationOp(op.activation);
    if (op.last) {
      const y = emitWeightLayer(emit, op, x, rowsFrom[i]!, act ? undefined : 'logits');
      x = act ? g.node(act, [y], name, {}, 'logits') : y;
      return;
    }
    const y = emitWeightLayer(emit, op, x, rowsFrom[i]!);
    if (op.lut) {
      emit.notes.add(
        `${name}: ${op.activation} runs in float before the next quantize (the app's 16-bit ` +
          'lookup-table grid has no 8-bit ONNX counterpart), so this layer is not fused',
      );
      x = g.node(act!, [y], name);
      onGrid = null;
      return;
    }
    // Relu then Q = the app's clamp at z_y; ORT folds the Relu into Q when z_y = 0.
    const a = layer.relu ? g.node('Relu', [y], name) : act ? g.node(act, [y], name) : y;
    x = quantDequant(a, layer.outputParams, `${name}/output`);
    onGrid = layer.outputParams;
  });
  const bytes = g.encode({
    graphName: options.name ?? 'qdq_model',
    inputs: [{ name: inputName, shape: onnxInputShape(model.inputShape) }],
    outputs: [{ name: 'logits', shape: ['N', model.outputSize] }],
    opset,
    docString: options.docString ?? 'QDQ model exported by the compression playground',
  });
  return { bytes, notes: [...emit.notes], opset };
}
