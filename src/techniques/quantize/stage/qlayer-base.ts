/**
 * Shared part of the QAT layers (qlayers.ts): the kernel is fake-quantized on every forward pass,
 * per tensor or per output channel (= last kernel axis), on a symmetric narrow-range grid (zero
 * point 0) or an asymmetric unsigned grid [0, 2^b − 1] with an integer zero point. The float kernel is what
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
import type { QuantParams, QuantScheme } from '../quantizer';
import { quantRange } from '../quantizer';

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
export type Shape = (number | null)[];
export type Kwargs = Record<string, unknown>;

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
  /**
   * Keep a pruning mask (a non-trainable weight, 1 = kept): the layer quantizes K ⊙ M, so pruned
   * weights get no gradient and stay exactly 0 through QAT (default false).
   */
  masked?: boolean;
}

const ACTIVATE: Record<QLayerActivation, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  softmax: (x) => tf.softmax(x),
};

/** Shared weight handling of FakeQuantDense and FakeQuantConv2D. */
export abstract class FakeQuantWeightLayer extends tf.layers.Layer {
  readonly weightBits: number;
  readonly perChannel: boolean;
  readonly weightScheme: QuantScheme;
  readonly weightQuantizer: WeightQuantizer;
  readonly activation: QLayerActivation;
  readonly useBias: boolean;
  readonly seed: number | undefined;
  readonly masked: boolean;
  protected kernel: tf.LayerVariable | null = null;
  protected mask: tf.LayerVariable | null = null;
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
    this.masked = args.masked ?? false;
  }

  /** The float kernel the grid applies to: K ⊙ M with a mask, K otherwise. */
  protected floatKernel(): tf.Tensor {
    if (!this.kernel) throw new Error(`Layer ${this.name} is not built yet.`);
    const w = this.kernel.read();
    return this.mask ? tf.mul(w, this.mask.read()) : w;
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
    if (this.masked) {
      const ones = tf.initializers.ones();
      this.mask = this.addWeight('mask', kernelShape, 'float32', ones, undefined, false);
    }
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
      const w = this.floatKernel();
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
    const w = this.floatKernel();
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
      const w = this.floatKernel();
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
    if (this.masked) config.masked = true;
    return { ...super.getConfig(), ...config };
  }
}
