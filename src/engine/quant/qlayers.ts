/**
 * QAT layers: dense and conv2d whose kernel is fake-quantized on every forward pass (symmetric,
 * narrow range, per tensor or per output channel = last kernel axis). The float kernel is what the
 * optimizer updates; the STE carries its gradient through the rounding. Weight quantizers:
 * 'minmax' (scale = max|w| / qmax, recomputed each step) or 'lsq' (scale is a trainable weight).
 */
import * as tf from '@tensorflow/tfjs';
import { fakeQuantize, fakeQuantizeLsq, lsqGradScale, withoutGradient } from './fake-quant';
import { quantRange } from './quantizer';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;

export const QLAYER_ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const;
export type QLayerActivation = (typeof QLAYER_ACTIVATIONS)[number];
export type WeightQuantizer = 'minmax' | 'lsq';

export interface WeightQuantArgs {
  /** Bits per weight, 2..16 (default 8). */
  weightBits?: number;
  /** One scale per output channel (default true) instead of one per tensor. */
  perChannel?: boolean;
  weightQuantizer?: WeightQuantizer;
  activation?: QLayerActivation;
  useBias?: boolean;
  /** Seed of the Glorot-uniform kernel initializer, for reproducible runs. */
  seed?: number;
}

function activate(x: tf.Tensor, activation: QLayerActivation): tf.Tensor {
  switch (activation) {
    case 'relu':
      return tf.relu(x);
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softmax':
      return tf.softmax(x);
    default:
      return x;
  }
}

/** Shared weight handling of FakeQuantDense and FakeQuantConv2D. */
abstract class FakeQuantWeightLayer extends tf.layers.Layer {
  readonly weightBits: number;
  readonly perChannel: boolean;
  readonly weightQuantizer: WeightQuantizer;
  readonly activation: QLayerActivation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  protected weightScale: tf.LayerVariable | null = null;

  constructor(args: LayerArgs & WeightQuantArgs) {
    super(args);
    this.weightBits = args.weightBits ?? 8;
    quantRange(this.weightBits, 'symmetric'); // validates bits early, with a readable message
    this.perChannel = args.perChannel ?? true;
    this.weightQuantizer = args.weightQuantizer ?? 'minmax';
    this.activation = args.activation ?? 'linear';
    if (!QLAYER_ACTIVATIONS.includes(this.activation)) {
      throw new RangeError(`Unknown activation '${String(this.activation)}'.`);
    }
    this.useBias = args.useBias ?? true;
    this.seed = args.seed;
  }

  /** Creates kernel (Glorot uniform), bias (zeros) and, for LSQ, the trainable weight scale. */
  protected buildWeights(kernelShape: number[], units: number): void {
    const init = tf.initializers.glorotUniform(this.seed === undefined ? {} : { seed: this.seed });
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', init);
    if (this.useBias)
      this.bias = this.addWeight('bias', [units], 'float32', tf.initializers.zeros());
    if (this.weightQuantizer === 'lsq') {
      const n = this.perChannel ? units : 1;
      this.weightScale = this.addWeight('weight_scale', [n], 'float32', tf.initializers.ones());
      this.resetWeightScale();
    }
    this.built = true;
  }

  /** LSQ only: re-initialises the scale from the current kernel, s = 2·mean|w| / √qmax (Esser). */
  resetWeightScale(): void {
    if (!this.weightScale || !this.kernel) return;
    const { qmax } = quantRange(this.weightBits, 'symmetric');
    const kernel = this.kernel;
    const scale = tf.tidy(() => {
      const w = kernel.read();
      const axes = this.perChannel ? w.shape.map((_, i) => i).slice(0, -1) : undefined;
      const meanAbs = tf.reshape(tf.mean(tf.abs(w), axes), [-1]);
      return tf.maximum(tf.div(tf.mul(meanAbs, 2), Math.sqrt(qmax)), 1e-8);
    });
    this.weightScale.write(scale);
    scale.dispose();
  }

  /** The kernel as the network sees it: dequantize(quantize(w)), STE gradient to w. */
  quantizedKernel(): tf.Tensor {
    if (!this.kernel) throw new Error(`Layer ${this.name} is not built yet.`);
    const w = this.kernel.read();
    const { qmin, qmax } = quantRange(this.weightBits, 'symmetric');
    const zero = tf.scalar(0);
    if (this.weightScale) {
      const s = tf.maximum(this.weightScale.read(), 1e-8);
      const perScale = w.size / s.size;
      return fakeQuantizeLsq(w, s, zero, qmin, qmax, lsqGradScale(perScale, qmax));
    }
    const perChannel = this.perChannel;
    const s = withoutGradient(w, (wi) => {
      const axes = perChannel ? wi.shape.map((_, i) => i).slice(0, -1) : undefined;
      const raw = tf.div(tf.max(tf.abs(wi), axes), qmax);
      return tf.where(tf.greater(raw, 0), raw, tf.onesLike(raw));
    });
    return fakeQuantize(w, s, zero, qmin, qmax);
  }

  protected finish(y: tf.Tensor): tf.Tensor {
    const withBias = this.bias ? tf.add(y, this.bias.read()) : y;
    return activate(withBias, this.activation);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      weightBits: this.weightBits,
      perChannel: this.perChannel,
      weightQuantizer: this.weightQuantizer,
      activation: this.activation,
      useBias: this.useBias,
    };
    if (this.seed !== undefined) config.seed = this.seed;
    return { ...super.getConfig(), ...config };
  }
}

export interface FakeQuantDenseArgs extends LayerArgs, WeightQuantArgs {
  units: number;
}

/** y = act(x · Q(W) + b), Q = weight fake-quant; kernel [in, out], channels = out. */
export class FakeQuantDense extends FakeQuantWeightLayer {
  static className = 'FakeQuantDense';
  readonly units: number;

  constructor(args: FakeQuantDenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new RangeError(`A dense layer needs a whole number of units ≥ 1, got ${args.units}.`);
    }
    this.units = args.units;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inDim = shape[shape.length - 1];
    if (typeof inDim !== 'number') throw new Error('FakeQuantDense needs a known input size.');
    this.buildWeights([inDim, this.units], this.units);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const inDim = x.shape[x.rank - 1]!;
      const y = tf.matMul(tf.reshape(x, [-1, inDim]), this.quantizedKernel() as tf.Tensor2D);
      return this.finish(tf.reshape(y, [...x.shape.slice(0, -1), this.units]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(FakeQuantDense);

export interface FakeQuantConv2DArgs extends LayerArgs, WeightQuantArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
}

/** y = act(conv2d(x, Q(K)) + b), NHWC input, HWIO kernel, channels = filters (last kernel axis). */
export class FakeQuantConv2D extends FakeQuantWeightLayer {
  static className = 'FakeQuantConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';

  constructor(args: FakeQuantConv2DArgs) {
    super(args);
    const pair = (v: number | [number, number]): [number, number] =>
      Array.isArray(v) ? v : [v, v];
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize);
    this.strides = pair(args.strides ?? 1);
    this.padding = args.padding ?? 'valid';
    const ints = [this.filters, ...this.kernelSize, ...this.strides];
    if (!ints.every((v) => Number.isInteger(v) && v >= 1)) {
      throw new RangeError('Conv filters, kernel size and strides must be whole numbers ≥ 1.');
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inC = shape[3];
    if (shape.length !== 4 || typeof inC !== 'number') {
      throw new Error('FakeQuantConv2D needs NHWC input with a known channel count.');
    }
    this.buildWeights([...this.kernelSize, inC, this.filters], this.filters);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const out = (size: number | null | undefined, k: number, s: number): number | null => {
      if (typeof size !== 'number') return null;
      return this.padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s);
    };
    return [
      shape[0] ?? null,
      out(shape[1], this.kernelSize[0], this.strides[0]),
      out(shape[2], this.kernelSize[1], this.strides[1]),
      this.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const k = this.quantizedKernel() as tf.Tensor4D;
      return this.finish(tf.conv2d(x, k, this.strides, this.padding));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
    };
  }
}
tf.serialization.registerClass(FakeQuantConv2D);
