/**
 * tfjs → ONNX layout changes. tfjs computes NHWC with HWIO kernels and flattens in (h, w, c)
 * order; ONNX Conv is NCHW with OIHW kernels, so Flatten yields (c, h, w) order. Kernels are
 * transposed, and the rows of the first dense layer after a flatten are permuted, so the exported
 * graph needs no Transpose node and computes exactly what tfjs computes.
 */

type Values = Float32Array | Int32Array;

/** OIHW copy of an HWIO kernel: out[o, i, y, x] = k[y, x, i, o]. */
export function hwioToOihw<T extends Values>(kernel: T, shape: readonly number[]): T {
  const [kh = 0, kw = 0, ci = 0, co = 0] = shape;
  const out = new (kernel.constructor as new (n: number) => T)(kernel.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < ci; i++)
        for (let o = 0; o < co; o++) {
          out[((o * ci + i) * kh + y) * kw + x] = kernel[((y * kw + x) * ci + i) * co + o]!;
        }
  return out;
}

/**
 * Dense kernel [h·w·c, units] whose rows are in tfjs' (h, w, c) flatten order, re-ordered to the
 * (c, h, w) order of an NCHW flatten: row (k·h + y)·w + x of the result is row (y·w + x)·c + k.
 */
export function hwcRowsToChw<T extends Values>(
  kernel: T,
  spatial: readonly [number, number, number],
  units: number,
): T {
  const [h, w, c] = spatial;
  if (kernel.length !== h * w * c * units) {
    throw new RangeError(
      `A [${h}·${w}·${c}, ${units}] kernel cannot hold ${kernel.length} values.`,
    );
  }
  const out = new (kernel.constructor as new (n: number) => T)(kernel.length);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        const from = ((y * w + x) * c + k) * units;
        out.set(kernel.subarray(from, from + units) as never, ((k * h + y) * w + x) * units);
      }
  return out;
}

/** An op of either layer list, as far as shapes go. */
export type ShapeOp =
  | { kind: 'dense' | 'conv'; name?: string; kernelShape: readonly number[] }
  | { kind: 'maxpool' | 'flatten'; name?: string };

/** The shape view of integer-model ops (weight ops carry their kernel shape on `layer`). */
export function integerShapeOps(
  ops: readonly (
    | { kind: 'maxpool' | 'flatten' }
    | { kind: 'dense' | 'conv'; name: string; layer: { kernelShape: readonly number[] } }
  )[],
): ShapeOp[] {
  return ops.map((op) =>
    op.kind === 'dense' || op.kind === 'conv'
      ? { kind: op.kind, name: op.name, kernelShape: op.layer.kernelShape }
      : { kind: op.kind },
  );
}

/** What each op reads: its per-example input shape in tfjs order ([f] or [h, w, c]). */
export interface ShapeStep {
  input: number[];
  output: number[];
  /** Flatten: the [h, w, c] it flattened (only when it flattened a spatial tensor). */
  flattened?: [number, number, number];
}

/**
 * Walks per-example shapes: dense [f] → [units]; conv [h, w, c] → [h − kh + 1, w − kw + 1, co];
 * maxpool 2×2 → [⌊h/2⌋, ⌊w/2⌋, c]; flatten → [h·w·c]. Throws a RangeError naming the op that
 * does not fit its input (the message is shown as the reason an export is impossible).
 */
export function walkShapes(ops: readonly ShapeOp[], inputShape: readonly number[]): ShapeStep[] {
  let shape = [...inputShape];
  const steps: ShapeStep[] = [];
  ops.forEach((op, i) => {
    const name = op.name ?? `layer ${i + 1}`;
    const input = shape;
    const spatial = input.length === 3;
    let flattened: [number, number, number] | undefined;
    if (op.kind === 'dense') {
      const [inDim = 0, units = 0] = op.kernelShape;
      if (input.length !== 1) {
        throw new RangeError(
          `Dense layer ${name} reads a [${input.join(', ')}] tensor: ONNX export needs a flatten first.`,
        );
      }
      if (input[0] !== inDim) {
        throw new RangeError(`Dense layer ${name} expects ${inDim} inputs but gets ${input[0]}.`);
      }
      shape = [units];
    } else if (op.kind === 'conv') {
      const [kh = 0, kw = 0, ci = 0, co = 0] = op.kernelShape;
      if (!spatial || input[2] !== ci || input[0]! < kh || input[1]! < kw) {
        throw new RangeError(
          `Conv layer ${name} (${kh}×${kw}, ${ci} → ${co} channels) cannot read a ` +
            `[${input.join(', ')}] tensor.`,
        );
      }
      shape = [input[0]! - kh + 1, input[1]! - kw + 1, co];
    } else if (op.kind === 'maxpool') {
      if (!spatial || input[0]! < 2 || input[1]! < 2) {
        throw new RangeError(`Max pooling ${name} needs an image of at least 2×2.`);
      }
      shape = [Math.floor(input[0]! / 2), Math.floor(input[1]! / 2), input[2]!];
    } else {
      if (spatial) flattened = [input[0]!, input[1]!, input[2]!];
      shape = [input.reduce((a, b) => a * b, 1)];
    }
    steps.push({ input, output: shape, ...(flattened ? { flattened } : {}) });
  });
  if (shape.length !== 1) {
    throw new RangeError(`The model ends with a [${shape.join(', ')}] tensor, not logits.`);
  }
  return steps;
}

/**
 * For each dense op, the [h, w, c] whose flatten order its rows must be changed from, if any: the
 * last flatten of a spatial tensor before it with no other dense op in between (a later dense
 * layer reads units, not pixels, so only the first one after a flatten is permuted).
 */
export function permutedRows(
  ops: readonly ShapeOp[],
  steps: readonly ShapeStep[],
): ([number, number, number] | null)[] {
  let pending: [number, number, number] | null = null;
  return ops.map((op, i) => {
    const step = steps[i]!;
    if (op.kind === 'flatten') pending = step.flattened ?? null;
    if (op.kind !== 'dense') return null;
    const rows = pending;
    pending = null;
    // C = 1: (h, w, c) and (c, h, w) orders coincide.
    return rows && rows[2] > 1 ? rows : null;
  });
}

/** ONNX input dims for a tfjs per-example shape: [h, w, c] → ['N', c, h, w]; [f] → ['N', f]. */
export function onnxInputShape(inputShape: readonly number[]): (number | string)[] {
  if (inputShape.length === 3) return ['N', inputShape[2]!, inputShape[0]!, inputShape[1]!];
  if (inputShape.length === 1) return ['N', inputShape[0]!];
  throw new RangeError(
    `ONNX export takes [features] or [height, width, channels] inputs, not [${inputShape.join(', ')}].`,
  );
}

/** Row-major NHWC batch → NCHW copy (to feed an exported image model tfjs data). */
export function nhwcToNchw(
  x: Float32Array,
  batch: number,
  spatial: readonly number[],
): Float32Array {
  const [h = 0, w = 0, c = 0] = spatial;
  const out = new Float32Array(x.length);
  for (let n = 0; n < batch; n++)
    for (let y = 0; y < h; y++)
      for (let xx = 0; xx < w; xx++)
        for (let k = 0; k < c; k++) {
          out[((n * c + k) * h + y) * w + xx] = x[((n * h + y) * w + xx) * c + k]!;
        }
  return out;
}
