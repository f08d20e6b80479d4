/**
 * Dense and conv layers with shared weights, for fine-tuning a k-means codebook: the KernelLayer
 * base with the hook K̃ = C[A], where C is a trainable codebook of k centroids and A the fixed
 * index of each kernel position (A = k marks a pruned weight, which reads an extra constant 0).
 *
 * Since K̃ is a gather from C, backpropagation sums the gradients of every weight that shares a
 * centroid: ∂L/∂c_j = Σ_{i : A_i = j} ∂L/∂K̃_i (Deep Compression's centroid fine-tuning). The stored
 * kernel gets no gradient (the forward pass reads C[A], not it); biases train as usual.
 */
import * as tf from '@tensorflow/tfjs';
import { KernelLayer, convGeometry, denseGeometry } from '../../../engine/network/kernel-layer';
import type {
  ConvArgs,
  DenseArgs,
  KernelGeometry,
  KernelLayerArgs,
} from '../../../engine/network/kernel-layer';

export interface SharedArgs extends Omit<KernelLayerArgs, 'masked'> {
  /** Centroids k in the codebook. */
  centroids: number;
}

/** The codebook and index weights of SharedDense and SharedConv2D. */
export abstract class SharedWeightLayer extends KernelLayer {
  readonly centroids: number;
  private codebook: tf.LayerVariable | null = null;
  private codes: tf.LayerVariable | null = null;

  constructor(args: SharedArgs, geometry: KernelGeometry) {
    super({ ...args, masked: false }, geometry);
    if (!Number.isInteger(args.centroids) || args.centroids < 1) {
      throw new RangeError(`A codebook needs at least 1 centroid, got ${args.centroids}.`);
    }
    this.centroids = args.centroids;
  }

  protected override buildExtraWeights(kernelShape: number[]): void {
    // The kernel stays first among the weights (and formally trainable, so the weight order is the
    // same as every kernel layer's), but the forward pass never reads it: it gets no gradient.
    const zeros = tf.initializers.zeros();
    this.codebook = this.addWeight('codebook', [this.centroids], 'float32', zeros);
    this.codes = this.addWeight('codes', kernelShape, 'float32', zeros, undefined, false);
  }

  private weightsOrThrow(): { codebook: tf.LayerVariable; codes: tf.LayerVariable } {
    if (this.codebook === null || this.codes === null) {
      throw new Error(`Layer '${this.name}' has no weights yet: add it to a model first.`);
    }
    return { codebook: this.codebook, codes: this.codes };
  }

  /** K̃ = [C, 0][A] in the kernel's shape. */
  protected forwardKernel(): tf.Tensor {
    const { codebook, codes } = this.weightsOrThrow();
    const table = tf.concat([codebook.read(), tf.zeros([1])]);
    return tf.reshape(tf.gather(table, tf.cast(codes.read(), 'int32')), codes.shape as number[]);
  }

  /**
   * The weights this layer computes with, K̃_i = C[A_i] (0 where A_i = k, pruned), as a copy: the
   * same gather as forwardKernel, taken here from the variables' values (see maskedKernelValues).
   */
  override maskedKernelValues(): Float32Array {
    const { codebook, codes } = this.weightsOrThrow();
    const table = codebook.read().dataSync();
    return Float32Array.from(codes.read().dataSync(), (a) => (a < table.length ? table[a]! : 0));
  }

  /** The current centroids C (a copy). */
  getCodebook(): Float32Array {
    return Float32Array.from(this.weightsOrThrow().codebook.read().dataSync());
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), centroids: this.centroids };
  }
}

/** Dense layer y = f(x · C[A] + b), C: the layer's k centroids. */
export class SharedDense extends SharedWeightLayer {
  static className = 'SharedDense';

  constructor(args: SharedArgs & DenseArgs) {
    super(args, denseGeometry(args));
  }
}
tf.serialization.registerClass(SharedDense);

/** Conv layer y = f(conv2d(x, C[A]) + b), x NHWC, C: the layer's k centroids. */
export class SharedConv2D extends SharedWeightLayer {
  static className = 'SharedConv2D';

  constructor(args: SharedArgs & ConvArgs) {
    super(args, convGeometry(args));
  }
}
tf.serialization.registerClass(SharedConv2D);
