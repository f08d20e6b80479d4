import * as tf from '@tensorflow/tfjs';
import { KernelLayer, convGeometry, denseGeometry } from '../../../engine/network/kernel-layer';
import type { ConvArgs, DenseArgs, KernelLayerArgs } from '../../../engine/network/kernel-layer';

/**
 * Dense and conv layers whose forward pass uses kernel ⊙ mask: the KernelLayer base with its mask
 * on and the hook K̃ = K ⊙ M.
 *
 * The mask is a non-trainable weight of the kernel's shape (1 = kept, 0 = pruned). Because the
 * product is taken inside `call`, ∂loss/∂kernel is zero at pruned positions, and even when an
 * optimizer's momentum keeps moving the raw kernel there, the effective weight stays exactly 0.
 * The mask is saved and loaded with the other weights; `bakeMask()` writes kernel ⊙ mask into the
 * kernel before export.
 */

export type MaskedLayerArgs = Omit<KernelLayerArgs, 'masked' | 'useBias'>;
export type MaskedDenseArgs = MaskedLayerArgs & DenseArgs;
export type MaskedConv2DArgs = MaskedLayerArgs & ConvArgs;

/** Dense layer y = f(x · (K ⊙ M) + b), K: [in, units]. */
export class MaskedDense extends KernelLayer {
  static className = 'MaskedDense';

  constructor(args: MaskedDenseArgs) {
    super({ ...args, masked: true, useBias: true }, denseGeometry(args));
  }

  protected forwardKernel(): tf.Tensor {
    return this.maskedKernel();
  }
}
tf.serialization.registerClass(MaskedDense);

/** Conv layer y = f(conv2d(x, K ⊙ M) + b), x NHWC, K: [kh, kw, in, filters]. */
export class MaskedConv2D extends KernelLayer {
  static className = 'MaskedConv2D';

  constructor(args: MaskedConv2DArgs) {
    super({ ...args, masked: true, useBias: true }, convGeometry(args));
  }

  protected forwardKernel(): tf.Tensor {
    return this.maskedKernel();
  }
}
tf.serialization.registerClass(MaskedConv2D);

/** True for the layers of this file (they carry a mask). */
export function isMaskedLayer(layer: tf.layers.Layer): layer is MaskedDense | MaskedConv2D {
  return layer instanceof MaskedDense || layer instanceof MaskedConv2D;
}
