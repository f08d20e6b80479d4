/**
 * The one base of the layers that change their kernel before using it: pruning's masked layers
 * (K ⊙ M) and QAT's fake-quant layers (Q(K ⊙ M)). The base owns the weights (kernel, bias, an
 * optional non-trainable mask, then whatever a subclass adds), the geometry of dense and conv
 * (shapes, strides, padding, output shape) and the forward pass y = f(op(x, K̃) + b); a subclass
 * supplies only the hook `forwardKernel()` that turns the stored kernel into K̃.
 */
import * as tf from '@tensorflow/tfjs';

export const KERNEL_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const;
export type KernelActivation = (typeof KERNEL_ACTIVATIONS)[number];

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type Shape = (number | null)[];
export type Kwargs = Record<string, unknown>;
type Pair = [number, number];
type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Dense: K [in, units]. Conv: K [kh, kw, in, filters] (HWIO) over NHWC input. */
export type KernelGeometry =
  | { kind: 'dense'; units: number }
  | { kind: 'conv'; filters: number; kernelSize: Pair; strides: Pair; padding: 'valid' | 'same' };

export interface KernelLayerArgs extends LayerArgs {
  activation?: KernelActivation;
  /** Add a bias b (default true). */
  useBias?: boolean;
  /** Seed of the Glorot-uniform kernel initializer (bias starts at 0, mask at 1). */
  seed?: number | null;
  /** Keep a pruning mask M (non-trainable, 1 = kept): pruned weights get no gradient and stay 0. */
  masked?: boolean;
}

export interface DenseArgs {
  units: number;
}

export interface ConvArgs {
  filters: number;
  /** Kernel height and width (one number for a square kernel). */
  kernelSize: number | Pair;
  /** Default 1. */
  strides?: number | Pair;
  /** Default 'valid'. */
  padding?: 'valid' | 'same';
}

const ACTIVATE: Record<KernelActivation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softmax: (x) => tf.softmax(x),
};

function checkPositiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${what} must be a whole number ≥ 1, got ${value}.`);
  }
}

function pair(value: number | Pair): Pair {
  return Array.isArray(value) ? [value[0], value[1]] : [value, value];
}

/** The geometry of a dense layer with `units` outputs (validated). */
export function denseGeometry(args: DenseArgs): KernelGeometry {
  checkPositiveInt(args.units, 'units');
  return { kind: 'dense', units: args.units };
}

/** The geometry of a conv layer (validated; stride 1 and valid padding by default). */
export function convGeometry(args: ConvArgs): KernelGeometry {
  checkPositiveInt(args.filters, 'filters');
  const kernelSize = pair(args.kernelSize);
  const strides = pair(args.strides ?? 1);
  checkPositiveInt(kernelSize[0], 'kernel height');
  checkPositiveInt(kernelSize[1], 'kernel width');
  checkPositiveInt(strides[0], 'stride');
  checkPositiveInt(strides[1], 'stride');
  const padding = args.padding ?? 'valid';
  if (padding !== 'valid' && padding !== 'same') {
    throw new RangeError(`Padding is 'valid' or 'same', got '${String(padding)}'.`);
  }
  return { kind: 'conv', filters: args.filters, kernelSize, strides, padding };
}

function singleShape(inputShape: Shape | Shape[]): Shape {
  const first = inputShape[0];
  return (Array.isArray(first) ? first : inputShape) as Shape;
}

/** Output side of a conv: ⌈n/s⌉ with same padding, ⌈(n − k + 1)/s⌉ with valid padding. */
function convSide(size: number | null | undefined, k: number, s: number, same: boolean) {
  if (size == null) return null;
  if (same) return Math.ceil(size / s);
  if (size < k) throw new Error(`An input side of ${size} is smaller than its kernel (${k}).`);
  return Math.ceil((size - k + 1) / s);
}

/** Base of MaskedDense/MaskedConv2D and FakeQuantDense/FakeQuantConv2D. */
export abstract class KernelLayer extends tf.layers.Layer {
  readonly geometry: KernelGeometry;
  readonly activation: KernelActivation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  readonly masked: boolean;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  protected mask: tf.LayerVariable | null = null;
  private pendingMask: Float32Array | null = null;

  constructor(args: KernelLayerArgs, geometry: KernelGeometry) {
    super(args);
    const activation = args.activation ?? 'linear';
    if (!KERNEL_ACTIVATIONS.includes(activation)) {
      throw new RangeError(`Unknown activation '${String(activation)}'.`);
    }
    this.geometry = geometry;
    this.activation = activation;
    this.useBias = args.useBias ?? true;
    this.seed = args.seed ?? undefined;
    this.masked = args.masked ?? false;
    this.inputSpec = [new tf.InputSpec(geometry.kind === 'dense' ? { minNDim: 2 } : { ndim: 4 })];
  }

  /** The hook: the kernel K̃ the forward pass multiplies with (a new tensor in the caller's scope). */
  protected abstract forwardKernel(): tf.Tensor;

  /** Adds a subclass's own weights after kernel, bias and mask (e.g. QAT's learned scale). */
  protected buildExtraWeights(_kernelShape: number[], _units: number): void {}

  /** Output channels: units (dense) or filters (conv), the kernel's last axis. */
  get outputChannels(): number {
    return this.geometry.kind === 'dense' ? this.geometry.units : this.geometry.filters;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = singleShape(inputShape);
    const inDim = shape[shape.length - 1];
    if (typeof inDim !== 'number' || (this.geometry.kind === 'conv' && shape.length !== 4)) {
      throw new Error(
        `'${this.name}' needs ${this.geometry.kind === 'conv' ? 'NHWC input with a known number of channels' : 'a known input size'}.`,
      );
    }
    const g = this.geometry;
    const kernelShape = g.kind === 'dense' ? [inDim, g.units] : [...g.kernelSize, inDim, g.filters];
    const add = (name: string, s: number[], init: Initializer, train = true) =>
      this.addWeight(name, s, 'float32', init, undefined, train);
    const seed = this.seed === undefined ? {} : { seed: this.seed };
    this.kernel = add('kernel', kernelShape, tf.initializers.glorotUniform(seed));
    if (this.useBias) this.bias = add('bias', [this.outputChannels], tf.initializers.zeros());
    // Non-trainable: no optimizer ever updates it, so pruned positions stay pruned.
    if (this.masked) this.mask = add('mask', kernelShape, tf.initializers.ones(), false);
    this.buildExtraWeights(kernelShape, this.outputChannels);
    const axes = { [g.kind === 'dense' ? -1 : 3]: inDim };
    this.inputSpec = [
      new tf.InputSpec(g.kind === 'dense' ? { minNDim: 2, axes } : { ndim: 4, axes }),
    ];
    this.built = true;
    if (this.pendingMask !== null) {
      const pending = this.pendingMask;
      this.pendingMask = null;
      this.setMask(pending);
    }
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = singleShape(inputShape);
    const g = this.geometry;
    if (g.kind === 'dense') return [...shape.slice(0, -1), g.units];
    const same = g.padding === 'same';
    return [
      shape[0] ?? null,
      convSide(shape[1], g.kernelSize[0], g.strides[0], same),
      convSide(shape[2], g.kernelSize[1], g.strides[1], same),
      g.filters,
    ];
  }

  /** y = f(x · K̃ + b) (dense) or f(conv2d(x, K̃) + b) (conv). */
  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const g = this.geometry;
      let z: tf.Tensor;
      if (g.kind === 'dense') {
        const inDim = x.shape[x.rank - 1]!;
        const y = tf.matMul(tf.reshape(x, [-1, inDim]), this.forwardKernel() as tf.Tensor2D);
        z = tf.reshape(y, [...x.shape.slice(0, -1), g.units]);
      } else {
        const k = this.forwardKernel() as tf.Tensor4D;
        z = tf.conv2d(x as tf.Tensor4D, k, g.strides, g.padding);
      }
      return ACTIVATE[this.activation](this.bias ? tf.add(z, this.bias.read()) : z);
    });
  }

  private kernelOrThrow(): tf.LayerVariable {
    if (this.kernel === null) {
      throw new Error(
        `Layer '${this.name}' has no weights yet: add it to a model (or call it) first.`,
      );
    }
    return this.kernel;
  }

  private maskOrThrow(): tf.LayerVariable {
    if (!this.masked) throw new Error(`Layer '${this.name}' keeps no pruning mask.`);
    this.kernelOrThrow();
    return this.mask!;
  }

  /** K ⊙ M with a mask, K otherwise (a new tensor inside the caller's scope). */
  protected maskedKernel(): tf.Tensor {
    const kernel = this.kernelOrThrow().read();
    return this.mask ? tf.mul(kernel, this.mask.read()) : kernel;
  }

  /**
   * K ⊙ M (or K) as values, a copy in the kernel's row-major order: the float weights kept. The
   * product is taken here from the variables' values (exact: M is 0 or 1), so only variables are
   * read, which mirrorWeights can put on the CPU first on WebGPU.
   */
  maskedKernelValues(): Float32Array {
    const values = Float32Array.from(this.kernelOrThrow().read().dataSync());
    if (this.mask === null) return values;
    const mask = this.mask.read().dataSync();
    for (let i = 0; i < values.length; i++) values[i] = mask[i] === 0 ? 0 : values[i]!;
    return values;
  }

  /** Sets the mask (1 = keep, 0 = prune), same length as the kernel; applied at build if unbuilt. */
  setMask(values: Float32Array): void {
    if (!this.masked) throw new Error(`Layer '${this.name}' keeps no pruning mask.`);
    for (const v of values) {
      if (v !== 0 && v !== 1) throw new RangeError(`A mask holds only 0 and 1, found ${v}.`);
    }
    if (this.mask === null) {
      this.pendingMask = Float32Array.from(values);
      return;
    }
    const mask = this.mask;
    const size = mask.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    if (values.length !== size) {
      throw new RangeError(
        `The mask of '${this.name}' needs ${size} entries, got ${values.length}.`,
      );
    }
    tf.tidy(() => {
      mask.write(tf.tensor(values, mask.shape as number[], 'float32'));
    });
  }

  /** Current mask values (a copy). */
  getMask(): Float32Array {
    return Float32Array.from(this.maskOrThrow().read().dataSync());
  }

  /** Writes K ⊙ M into the kernel, so the plain kernel ships pruned (the mask is kept). */
  bakeMask(): void {
    const kernel = this.kernelOrThrow();
    this.maskOrThrow();
    tf.tidy(() => {
      kernel.write(this.maskedKernel());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    const g = this.geometry;
    const shape: tf.serialization.ConfigDict =
      g.kind === 'dense'
        ? { units: g.units }
        : {
            filters: g.filters,
            kernelSize: [...g.kernelSize],
            strides: [...g.strides],
            padding: g.padding,
          };
    const config: tf.serialization.ConfigDict = {
      ...shape,
      activation: this.activation,
      useBias: this.useBias,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    if (this.masked) config.masked = true;
    return { ...super.getConfig(), ...config };
  }
}

const DENSE_CLASSES = new Set(['Dense']);
const CONV_CLASSES = new Set(['Conv2D']);

/** 'dense' or 'conv' for a weight layer (plain tfjs or a KernelLayer), null for any other layer. */
export function weightLayerKind(layer: tf.layers.Layer): 'dense' | 'conv' | null {
  if (layer instanceof KernelLayer) return layer.geometry.kind;
  const cls = layer.getClassName();
  if (DENSE_CLASSES.has(cls)) return 'dense';
  if (CONV_CLASSES.has(cls)) return 'conv';
  return null;
}
