/**
 * The plain layer IR every technique reads and writes: a sequential model as typed arrays.
 * Kernels are row-major with the output unit last: dense [in, out], conv HWIO [kh, kw, in, out]
 * (valid padding, stride 1); max-pool is 2×2 stride 2; flatten is NHWC order. Pure: no tfjs
 * (layer-ir.ts converts to and from tfjs models).
 */

export type UnitActivation = 'relu' | 'tanh' | 'sigmoid' | 'linear';

export interface DenseWeights {
  kind: 'dense';
  kernel: Float32Array;
  kernelShape: [number, number];
  bias: Float32Array;
  /** Activation after this layer (default linear). */
  activation?: UnitActivation;
}

export interface ConvWeights {
  kind: 'conv';
  kernel: Float32Array;
  kernelShape: [number, number, number, number];
  bias: Float32Array;
  activation?: UnitActivation;
}

/** A layer with a kernel: dense or conv. */
export type KernelLayer = DenseWeights | ConvWeights;
export type PlainLayer = KernelLayer | { kind: 'maxpool' } | { kind: 'flatten' };

/** A layer as plain arrays, with the name it has in the model (conv1, dense1, logits …). */
export type NamedLayer = PlainLayer & { name: string };

/** A dense or conv layer among the named layers. */
export type WeightLayer = Extract<NamedLayer, { kind: 'dense' | 'conv' }>;

/** True for dense and conv layers (the ones with kernels). */
export function isWeightLayer<L extends PlainLayer>(
  layer: L | undefined,
): layer is Extract<L, { kind: 'dense' | 'conv' }> {
  return layer !== undefined && (layer.kind === 'dense' || layer.kind === 'conv');
}

/** Entries that are not exactly 0: nnz = #{i : wᵢ ≠ 0}. */
export function nonZeroCount(values: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < values.length; i++) if (values[i] !== 0) n++;
  return n;
}

/**
 * MACs per example of plain layers: dense in·out; conv outH·outW·kh·kw·cin·cout; with
 * `effective`, each layer's MACs are scaled by its non-zero fraction of kernel weights.
 */
export function layerMacs(
  layers: readonly PlainLayer[],
  inputShape: readonly number[],
): { macs: number; effectiveMacs: number } {
  let shape = [...inputShape];
  let macs = 0;
  let effectiveMacs = 0;
  for (const layer of layers) {
    let m = 0;
    if (layer.kind === 'dense') {
      m = layer.kernelShape[0] * layer.kernelShape[1];
      shape = [layer.kernelShape[1]];
    } else if (layer.kind === 'conv') {
      const [kh, kw, cin, cout] = layer.kernelShape;
      const oh = shape[0]! - kh + 1;
      const ow = shape[1]! - kw + 1;
      m = oh * ow * kh * kw * cin * cout;
      shape = [oh, ow, cout];
    } else if (layer.kind === 'maxpool') {
      shape = [Math.floor(shape[0]! / 2), Math.floor(shape[1]! / 2), shape[2]!];
    } else {
      shape = [shape.reduce((a, b) => a * b, 1)];
    }
    if (isWeightLayer(layer)) {
      macs += m;
      const count = layer.kernel.length;
      effectiveMacs += count ? (m * nonZeroCount(layer.kernel)) / count : 0;
    }
  }
  return { macs, effectiveMacs: Math.round(effectiveMacs) };
}

/** Throws a RangeError unless x holds batch × features values (one row per example). */
export function checkBatchInput(x: ArrayLike<number>, batch: number, features: number): void {
  if (x.length !== batch * features) {
    throw new RangeError(`Expected ${batch} examples of ${features} values, got ${x.length}.`);
  }
}
