/**
 * QAT layers: dense and conv2d whose kernel is fake-quantized on every forward pass. They are the
 * KernelLayer base with the hook K̃ = Q(K ⊙ M) (M only with `masked`): per tensor or per output
 * channel (= last kernel axis), on a symmetric narrow-range grid (zero point 0) or an asymmetric
 * unsigned grid [0, 2^b − 1] with an integer zero point. The float kernel is what the optimizer
 * updates; the STE carries its gradient through the rounding. Weight quantizers: 'minmax' (grid
 * from the kernel's min/max, recomputed each step, as PTQ's quantizer does) or 'lsq' (the scale,
 * and for asymmetric grids the zero point, are trainable weights: LSQ / LSQ+).
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
import { KernelLayer, convGeometry, denseGeometry } from '../../../engine/network/kernel-layer';
import type {
  ConvArgs,
  DenseArgs,
  KernelGeometry,
  KernelLayerArgs,
} from '../../../engine/network/kernel-layer';

export type WeightQuantizer = 'minmax' | 'lsq';

export interface WeightQuantArgs extends KernelLayerArgs {
  /** Bits per weight, 2..16 (default 8). */
  weightBits?: number;
  /** One scale per output channel (default true) instead of one per tensor. */
  perChannel?: boolean;
  /** symmetric (default): narrow signed grid, zero point 0; asymmetric: [0, 2^b − 1] with z. */
  weightScheme?: QuantScheme;
  weightQuantizer?: WeightQuantizer;
}

/** The weight grid of FakeQuantDense and FakeQuantConv2D. */
export abstract class FakeQuantWeightLayer extends KernelLayer {
  readonly weightBits: number;
  readonly perChannel: boolean;
  readonly weightScheme: QuantScheme;
  readonly weightQuantizer: WeightQuantizer;
  protected weightScale: tf.LayerVariable | null = null;
  protected weightZeroPoint: tf.LayerVariable | null = null;

  constructor(args: WeightQuantArgs, geometry: KernelGeometry) {
    super(args, geometry);
    this.weightBits = args.weightBits ?? 8;
    this.weightScheme = args.weightScheme ?? 'symmetric';
    if (this.weightScheme !== 'symmetric' && this.weightScheme !== 'asymmetric') {
      throw new RangeError(`Unknown weight scheme '${String(this.weightScheme)}'.`);
    }
    quantRange(this.weightBits, this.weightScheme); // validates bits early, readably
    this.perChannel = args.perChannel ?? true;
    this.weightQuantizer = args.weightQuantizer ?? 'minmax';
  }

  /** The hook: the forward pass uses Q(K ⊙ M), the fake-quantized kernel. */
  protected forwardKernel(): tf.Tensor {
    return this.quantizedKernel();
  }

  /** The integer grid [qmin, qmax] of the weights (symmetric: narrow range). */
  weightRange(): { qmin: number; qmax: number } {
    return quantRange(this.weightBits, this.weightScheme);
  }

  /** LSQ: the trainable weight scale (and zero point for asymmetric grids), per channel or tensor. */
  protected override buildExtraWeights(_kernelShape: number[], units: number): void {
    if (this.weightQuantizer !== 'lsq') return;
    const n = this.perChannel ? units : 1;
    this.weightScale = this.addWeight('weight_scale', [n], 'float32', tf.initializers.ones());
    if (this.weightScheme === 'asymmetric') {
      const zeros = tf.initializers.zeros();
      this.weightZeroPoint = this.addWeight('weight_zero_point', [n], 'float32', zeros);
    }
    this.resetWeightScale();
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
      const w = this.maskedKernel();
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
    const w = this.maskedKernel();
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
   * computed by the same tensor ops as quantizedKernel, so (q − z)·s is exactly its ŵ. Read back
   * asynchronously: on WebGPU a synchronous read of a computed tensor can lose the device.
   */
  async weightQuantization(): Promise<{ codes: Int32Array; params: QuantParams }> {
    if (!this.kernel) throw new Error(`Layer ${this.name} is not built yet.`);
    const kernel = this.kernel;
    const { qmin, qmax } = this.weightRange();
    const [codes, scale, zeroPoint] = tf.tidy(() => {
      const w = this.maskedKernel();
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
    try {
      const [codeValues, scaleValues, zeroValues] = await Promise.all(
        [codes, scale, zeroPoint].map((t) => t.data()),
      );
      const params: QuantParams = {
        scale: Float32Array.from(scaleValues!),
        zeroPoint: Int32Array.from(zeroValues!),
        qmin,
        qmax,
        bits: this.weightBits,
        axis: scale.size > 1 ? kernel.shape.length - 1 : null,
      };
      return { codes: Int32Array.from(codeValues!), params };
    } finally {
      tf.dispose([codes, scale, zeroPoint]);
    }
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      weightBits: this.weightBits,
      perChannel: this.perChannel,
      weightScheme: this.weightScheme,
      weightQuantizer: this.weightQuantizer,
    };
  }
}

export type FakeQuantDenseArgs = WeightQuantArgs & DenseArgs;

/** y = act(x · Q(W) + b), Q = weight fake-quant; kernel [in, out], channels = out. */
export class FakeQuantDense extends FakeQuantWeightLayer {
  static className = 'FakeQuantDense';

  constructor(args: FakeQuantDenseArgs) {
    super(args, denseGeometry(args));
  }
}
tf.serialization.registerClass(FakeQuantDense);

export type FakeQuantConv2DArgs = WeightQuantArgs & ConvArgs;

/** y = act(conv2d(x, Q(K)) + b), NHWC input, HWIO kernel, channels = filters (last kernel axis). */
export class FakeQuantConv2D extends FakeQuantWeightLayer {
  static className = 'FakeQuantConv2D';

  constructor(args: FakeQuantConv2DArgs) {
    super(args, convGeometry(args));
  }
}
tf.serialization.registerClass(FakeQuantConv2D);
