import * as tf from '@tensorflow/tfjs';

/**
 * Dense and conv layers whose forward pass uses kernel ⊙ mask.
 *
 * The mask is a non-trainable weight of the kernel's shape (1 = kept, 0 = pruned). Because the
 * product is taken inside `call`, ∂loss/∂kernel is zero at pruned positions, and even when an
 * optimizer's momentum keeps moving the raw kernel there, the effective weight stays exactly 0.
 * The mask is saved and loaded with the other weights; `bakeMask()` writes kernel ⊙ mask into the
 * kernel before export.
 */

export const MASKED_ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear'] as const;
export type MaskedActivation = (typeof MASKED_ACTIVATIONS)[number];

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Initializer = ReturnType<typeof tf.initializers.zeros>;

interface MaskedArgs extends LayerArgs {
  activation?: MaskedActivation;
  /** Seed of the glorot-uniform kernel initializer (bias starts at 0, mask at 1). */
  seed?: number;
}

export interface MaskedDenseArgs extends MaskedArgs {
  units: number;
}

export interface MaskedConv2DArgs extends MaskedArgs {
  filters: number;
  /** Kernel height and width (one number for a square kernel). Padding is valid, stride 1. */
  kernelSize: number | [number, number];
}

/** f(z) of a named activation. */
function activate(z: tf.Tensor, name: MaskedActivation): tf.Tensor {
  switch (name) {
    case 'relu':
      return tf.relu(z);
    case 'tanh':
      return tf.tanh(z);
    case 'sigmoid':
      return tf.sigmoid(z);
    case 'linear':
      return z;
  }
}

function checkPositiveInt(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${what} must be a whole number ≥ 1, got ${value}.`);
  }
}

function singleShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  const first = inputShape[0];
  return Array.isArray(first) ? first : (inputShape as tf.Shape);
}

abstract class MaskedLayer extends tf.layers.Layer {
  readonly activation: MaskedActivation;
  readonly seed: number | null;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  protected mask: tf.LayerVariable | null = null;
  private pendingMask: Float32Array | null = null;

  constructor(args: MaskedArgs) {
    super(args);
    const activation = args.activation ?? 'linear';
    if (!MASKED_ACTIVATIONS.includes(activation)) {
      throw new RangeError(`Unknown activation '${String(activation)}'.`);
    }
    this.activation = activation;
    this.seed = args.seed ?? null;
  }

  /** Creates kernel (trainable), bias (trainable) and mask (non-trainable, all ones). */
  protected addMaskedWeights(kernelShape: number[], units: number): void {
    const seed = this.seed === null ? {} : { seed: this.seed };
    const add = (name: string, shape: number[], init: Initializer, trainable: boolean) =>
      this.addWeight(name, shape, 'float32', init, undefined, trainable);
    this.kernel = add('kernel', kernelShape, tf.initializers.glorotUniform(seed), true);
    this.bias = add('bias', [units], tf.initializers.zeros(), true);
    // Non-trainable: no optimizer ever updates it, so pruned positions stay pruned.
    this.mask = add('mask', kernelShape, tf.initializers.ones(), false);
    this.built = true;
    if (this.pendingMask !== null) {
      const pending = this.pendingMask;
      this.pendingMask = null;
      this.setMask(pending);
    }
  }

  private weightsOrThrow(): {
    kernel: tf.LayerVariable;
    bias: tf.LayerVariable;
    mask: tf.LayerVariable;
  } {
    if (this.kernel === null || this.bias === null || this.mask === null) {
      throw new Error(
        `Layer '${this.name}' has no weights yet: add it to a model (or call it) first.`,
      );
    }
    return { kernel: this.kernel, bias: this.bias, mask: this.mask };
  }

  /** Kernel ⊙ mask, the kernel the forward pass uses (a new tensor inside the caller's scope). */
  protected maskedKernel(): tf.Tensor {
    const { kernel, mask } = this.weightsOrThrow();
    return tf.mul(kernel.read(), mask.read());
  }

  protected addBiasAndActivate(z: tf.Tensor): tf.Tensor {
    return activate(tf.add(z, this.weightsOrThrow().bias.read()), this.activation);
  }

  /** Sets the mask (1 = keep, 0 = prune), same length as the kernel; applied at build if unbuilt. */
  setMask(values: Float32Array): void {
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
    return Float32Array.from(this.weightsOrThrow().mask.read().dataSync());
  }

  /** Effective kernel kernel ⊙ mask as values (a copy), in the kernel's row-major order. */
  effectiveKernel(): Float32Array {
    const product = tf.tidy(() => this.maskedKernel());
    const values = Float32Array.from(product.dataSync());
    product.dispose();
    return values;
  }

  /** Writes kernel ⊙ mask into the kernel, so the plain kernel ships pruned (the mask is kept). */
  bakeMask(): void {
    const { kernel } = this.weightsOrThrow();
    tf.tidy(() => {
      kernel.write(this.maskedKernel());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), activation: this.activation, seed: this.seed };
  }
}

/** Dense layer y = f(x · (K ⊙ M) + b), K: [in, units]. */
export class MaskedDense extends MaskedLayer {
  static className = 'MaskedDense';
  readonly units: number;

  constructor(args: MaskedDenseArgs) {
    super(args);
    checkPositiveInt(args.units, 'units');
    this.units = args.units;
    this.inputSpec = [new tf.InputSpec({ minNDim: 2 })];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = singleShape(inputShape);
    const inputDim = shape[shape.length - 1];
    if (inputDim == null) throw new Error(`'${this.name}' needs a known input size.`);
    this.addMaskedWeights([inputDim, this.units], this.units);
    this.inputSpec = [new tf.InputSpec({ minNDim: 2, axes: { [-1]: inputDim } })];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = singleShape(inputShape).slice();
    shape[shape.length - 1] = this.units;
    return shape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const inputDim = x.shape[x.shape.length - 1]!;
      const z = tf.matMul(x.reshape([-1, inputDim]), this.maskedKernel());
      return this.addBiasAndActivate(z.reshape([...x.shape.slice(0, -1), this.units]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(MaskedDense);

/** Conv layer y = f(conv2d(x, K ⊙ M; stride 1, valid) + b), x NHWC, K: [kh, kw, in, filters]. */
export class MaskedConv2D extends MaskedLayer {
  static className = 'MaskedConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];

  constructor(args: MaskedConv2DArgs) {
    super(args);
    checkPositiveInt(args.filters, 'filters');
    const [kh, kw] =
      typeof args.kernelSize === 'number' ? [args.kernelSize, args.kernelSize] : args.kernelSize;
    checkPositiveInt(kh, 'kernel height');
    checkPositiveInt(kw, 'kernel width');
    this.filters = args.filters;
    this.kernelSize = [kh, kw];
    this.inputSpec = [new tf.InputSpec({ ndim: 4 })];
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const channels = singleShape(inputShape)[3];
    if (channels == null) throw new Error(`'${this.name}' needs a known number of input channels.`);
    this.addMaskedWeights([...this.kernelSize, channels, this.filters], this.filters);
    this.inputSpec = [new tf.InputSpec({ ndim: 4, axes: { [-1]: channels } })];
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const [batch, h, w] = singleShape(inputShape);
    const out = (size: number | null | undefined, k: number) => {
      if (size == null) return null;
      if (size < k)
        throw new Error(`'${this.name}': input side ${size} is smaller than its kernel ${k}.`);
      return size - k + 1;
    };
    return [batch ?? null, out(h, this.kernelSize[0]), out(w, this.kernelSize[1]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const z = tf.conv2d(x, this.maskedKernel() as tf.Tensor4D, 1, 'valid');
      return this.addBiasAndActivate(z);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, kernelSize: [...this.kernelSize] };
  }
}
tf.serialization.registerClass(MaskedConv2D);

/** True for the layers of this file (they carry a mask). */
export function isMaskedLayer(layer: tf.layers.Layer): layer is MaskedDense | MaskedConv2D {
  return layer instanceof MaskedDense || layer instanceof MaskedConv2D;
}
