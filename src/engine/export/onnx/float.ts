/**
 * Float ONNX export of the plain layer list (fp32 teachers and students, pruned with masks baked,
 * structurally pruned, low-rank factors): Conv (OIHW, valid, stride 1) / Gemm / MaxPool 2×2 /
 * Flatten with Relu / Tanh / Sigmoid, opset 13, NCHW input with a dynamic batch.
 */
import type { NamedLayer } from './adapter';
import { hwcRowsToChw, hwioToOihw, onnxInputShape, permutedRows, walkShapes } from './layout';
import { DataType, GraphBuilder } from './proto';
import { assertFloatExportable } from './support';

/** Opset of the float export (Gemm, Conv, MaxPool, Flatten as in ONNX 1.8). */
export const FLOAT_OPSET = 13;

export interface OnnxExportOptions {
  /** Graph name, e.g. the variant's label. */
  name?: string;
  /** Name of the graph input (default 'input'); the output is 'logits'. */
  inputName?: string;
  /** Free text stored as the model's doc string (what the variant is). */
  docString?: string;
}

const ACTIVATION_OPS = { relu: 'Relu', tanh: 'Tanh', sigmoid: 'Sigmoid' } as const;

/** The ONNX op of a unit activation, or null for linear. */
export function activationOp(activation: string | undefined): string | null {
  return activation && activation in ACTIVATION_OPS
    ? ACTIVATION_OPS[activation as keyof typeof ACTIVATION_OPS]
    : null;
}

/** Whether every value is exactly 0 (a bias that can be left out). */
function allZero(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) return false;
  return true;
}

/**
 * Exports plain layers as an fp32 ONNX model: input [N, C, H, W] (images; tfjs [H, W, C]) or
 * [N, F], output 'logits' [N, classes] = the tfjs model's outputs, kernels transposed to OIHW and
 * the first dense rows after a flatten permuted from (h, w, c) to (c, h, w) order.
 */
export function exportFloatOnnx(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
  options: OnnxExportOptions = {},
): Uint8Array {
  assertFloatExportable(layers, inputShape);
  const steps = walkShapes(layers, inputShape);
  const rowsFrom = permutedRows(layers, steps);
  const g = new GraphBuilder();
  const inputName = options.inputName ?? 'input';
  g.unique(inputName);
  let x = inputName;
  layers.forEach((layer, i) => {
    const last = i === layers.length - 1;
    const out = (node: string, inputs: string[], attrs = {}) =>
      g.node(node, inputs, layer.name, attrs, last ? 'logits' : undefined);
    if (layer.kind === 'maxpool') {
      x = out('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2] });
      return;
    }
    if (layer.kind === 'flatten') {
      x = out('Flatten', [x], { axis: 1 });
      return;
    }
    const act = activationOp(layer.activation);
    const bias = allZero(layer.bias)
      ? ''
      : g.initializer(`${layer.name}/bias`, DataType.FLOAT, [layer.bias.length], layer.bias);
    let y: string;
    if (layer.kind === 'conv') {
      const [kh, kw, ci, co] = layer.kernelShape;
      const w = g.initializer(
        `${layer.name}/kernel`,
        DataType.FLOAT,
        [co, ci, kh, kw],
        hwioToOihw(layer.kernel, layer.kernelShape),
      );
      const attrs = { kernel_shape: [kh, kw], strides: [1, 1], pads: [0, 0, 0, 0] };
      y = act
        ? g.node('Conv', bias ? [x, w, bias] : [x, w], layer.name, attrs)
        : out('Conv', bias ? [x, w, bias] : [x, w], attrs);
    } else {
      const [rows, units] = layer.kernelShape;
      const from = rowsFrom[i];
      const kernel = from ? hwcRowsToChw(layer.kernel, from, units) : layer.kernel;
      const w = g.initializer(`${layer.name}/kernel`, DataType.FLOAT, [rows, units], kernel);
      y = act
        ? g.node('Gemm', bias ? [x, w, bias] : [x, w], layer.name)
        : out('Gemm', bias ? [x, w, bias] : [x, w]);
    }
    x = act ? out(act, [y]) : y;
  });
  const classes = steps[steps.length - 1]!.output[0]!;
  return g.encode({
    graphName: options.name ?? 'float_model',
    inputs: [{ name: inputName, shape: onnxInputShape(inputShape) }],
    outputs: [{ name: 'logits', shape: ['N', classes] }],
    opset: FLOAT_OPSET,
    docString: options.docString ?? 'fp32 model exported by the compression playground',
  });
}
