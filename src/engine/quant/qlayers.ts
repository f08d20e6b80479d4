/**
 * QAT layers: dense and conv2d whose kernel is fake-quantized on every forward pass, per tensor
 * or per output channel (= last kernel axis), on a symmetric narrow-range grid (zero point 0) or
 * an asymmetric unsigned grid [0, 2^b − 1] with an integer zero point. The float kernel is what
 * the optimizer updates; the STE carries its gradient through the rounding. Weight quantizers:
 * 'minmax' (grid from the kernel's min/max, recomputed each step, as PTQ's quantizer does) or
 * 'lsq' (the scale, and for asymmetric grids the zero point, are trainable weights: LSQ / LSQ+).
 */
import * as tf from '@tensorflow/tfjs';
import {
  fakeQuantize,
  fakeQuantizeLsq,
  fakeQuantizeLsqPlus,
  gridCodes,
  kernelMinMaxGrid,
  lsqGradScale,
} from './fake-quant';
import type { QuantParams, QuantScheme } from './quantizer';
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
  /** symmetric (default): narrow signed grid, zero point 0; asymmetric: [0, 2^b − 1] with z. */
  weightScheme?: QuantScheme;
  weightQuantizer?: WeightQuantizer;
  activation?: QLayerActivation;
  useBias?: boolean;
  /** Seed of the Glorot-uniform kernel initializer, for reproducible runs. */
  seed?: number;
}

const ACTIVATE: Record<QLayerActivation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softmax: (x) => tf.softmax(x),
};

/** Shared weight handling of FakeQuantDense and FakeQuantConv2D. */
abstract class FakeQuantWeightLayer extends tf.layers.Layer {
  readonly weightBits: number;
  readonly perChannel: boolean;
  readonly weightScheme: QuantScheme;
  readonly weightQuantizer: WeightQuantizer;
  readonly activation: QLayerActivation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  protected kernel: tf.LayerVariable | null = null;
  protected bias: tf.LayerVariable | null = null;
  protected weightScale: tf.LayerVariable | null = null;
  protected weightZeroPoint: tf.LayerVariable | null = null;

  constructor(args: LayerArgs & WeightQuantArgs) {
    super(args);
    this.weightBits = args.weightBits ?? 8;
    this.weightScheme = args.weightScheme ?? 'symmetric';
    if (this.weightScheme !== 'symmetric' && this.weightScheme !== 'asymmetric') {
      throw new RangeError(`Unknown weight scheme '${String(this.weightScheme)}'.`);
    }
    quantRange(this.weightBits, this.weightScheme); // validates bits early, readably
    this.perChannel = args.perChannel ?? true;
    this.weightQuantizer = args.weightQuantizer ?? 'minmax';
    this.activation = args.activation ?? 'linear';
    if (!QLAYER_ACTIVATIONS.includes(this.activation)) {
      throw new RangeError(`Unknown activation '${String(this.activation)}'.`);
    }
    this.useBias = args.useBias ?? true;
    this.seed = args.seed;
  }

  /** The integer grid [qmin, qmax] of the weights (symmetric: narrow range). */
  weightRange(): { qmin: number; qmax: number } {
    return quantRange(this.weightBits, this.weightScheme);
  }

  /**
   * Creates kernel (Glorot uniform), bias (zeros) and, for LSQ, the trainable weight scale
   * (and zero point for asymmetric grids), one per output channel or one per tensor.
   */
  protected buildWeights(kernelShape: number[], units: number): void {
    const init = tf.initializers.glorotUniform(this.seed === undefined ? {} : { seed: this.seed });
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', init);
    if (this.useBias)
      this.bias = this.addWeight('bias', [units], 'float32', tf.initializers.zeros());
    if (this.weightQuantizer === 'lsq') {
      const n = this.perChannel ? units : 1;
      this.weightScale = this.addWeight('weight_scale', [n], 'float32', tf.initializers.ones());
      if (this.weightScheme === 'asymmetric') {
        const zeros = tf.initializers.zeros();
        this.weightZeroPoint = this.addWeight('weight_zero_point', [n], 'float32', zeros);
      }
      this.resetWeightScale();
    }
    this.built = true;
  }

  /** Min/max grid of w (as PTQ's quantizer), cut from the gradient tape. */
  private minMaxGrid(w: tf.Tensor): { scale: tf.Tensor; zeroPoint: tf.Tensor } {
    const { qmin, qmax } = this.weightRange();
    return kernelMinMaxGrid(w, this.perChannel, qmin, qmax, this.weightScheme === 'symmetric');
  }

  /**
   * LSQ only: re-initialises the learned grid from the current kernel. Symmetric:
   * s = 2·mean|w| / √qmax (Esser); asymmetric: s and z of the min/max grid (LSQ+ style).
   */
  resetWeightScale(): void {
    const { weightScale, weightZeroPoint, kernel } = this;
    if (!weightScale || !kernel) return;
    const { qmax } = this.weightRange();
    tf.tidy(() => {
      const w = kernel.read();
      if (weightZeroPoint) {
        const grid = this.minMaxGrid(w);
        weightScale.write(tf.reshape(grid.scale, [-1]));
        weightZeroPoint.write(tf.reshape(grid.zeroPoint, [-1]));
        return;
      }
      const axes = this.perChannel ? w.shape.map((_, i) => i).slice(0, -1) : undefined;
      const meanAbs = tf.reshape(tf.mean(tf.abs(w), axes), [-1]);
      weightScale.write(tf.maximum(tf.div(tf.mul(meanAbs, 2), Math.sqrt(qmax)), 1e-8));
    });
  }

  /** The kernel as the network sees it: dequantize(quantize(w)), STE gradient to w. */
  quantizedKernel(): tf.Tensor {
    if (!this.kernel) throw new Error(`Layer ${this.name} is not built yet.`);
    const w = this.kernel.read();
    const { qmin, qmax } = this.weightRange();
    if (this.weightScale) {
      const s = tf.maximum(this.weightScale.read(), 1e-8);
      const g = lsqGradScale(w.size / s.size, qmax);
      return this.weightZeroPoint
        ? fakeQuantizeLsqPlus(w, s, this.weightZeroPoint.read(), qmin, qmax, g)
        : fakeQuantizeLsq(w, s, tf.scalar(0), qmin, qmax, g);
    }
    const { scale, zeroPoint } = this.minMaxGrid(w);
    return fakeQuantize(w, scale, zeroPoint, qmin, qmax);
  }

  /**
   * The integer kernel the forward pass uses, with its grid: codes q = clamp(round(w/s + z)),
   * computed by the same tensor ops as quantizedKernel, so (q − z)·s is exactly its ŵ.
   */
  weightQuantization(): { codes: Int32Array; params: QuantParams } {
    if (!this.kernel) throw new Error(`Layer ${this.name} is not built yet.`);
    const kernel = this.kernel;
    const { qmin, qmax } = this.weightRange();
    const [codes, scale, zeroPoint] = tf.tidy(() => {
      const w = kernel.read();
      const { scale: s, zeroPoint: z } = this.weightScale
        ? {
            scale: tf.maximum(this.weightScale.read(), 1e-8),
            zeroPoint: this.weightZeroPoint
              ? tf.clipByValue(tf.round(this.weightZeroPoint.read()), qmin, qmax)
              : tf.zerosLike(this.weightScale.read()),
          }
        : this.minMaxGrid(w);
      return [gridCodes(w, s, z, qmin, qmax), tf.reshape(s, [-1]), tf.reshape(z, [-1])];
    });
    const params: QuantParams = {
      scale: Float32Array.from(scale.dataSync()),
      zeroPoint: Int32Array.from(zeroPoint.dataSync()),
      qmin,
      qmax,
      bits: this.weightBits,
      axis: scale.size > 1 ? kernel.shape.length - 1 : null,
    };
    const out = { codes: Int32Array.from(codes.dataSync()), params };
    tf.dispose([codes, scale, zeroPoint]);
    return out;
  }

  protected finish(y: tf.Tensor): tf.Tensor {
    const withBias = this.bias ? tf.add(y, this.bias.read()) : y;
    return ACTIVATE[this.activation](withBias);
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config: tf.serialization.ConfigDict = {
      weightBits: this.weightBits,
      perChannel: this.perChannel,
      weightScheme: this.weightScheme,
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
