import type * as tf from '@tensorflow/tfjs';
import { encodeSafetensors } from './safetensors';
import type { NamedTensor } from './safetensors';

/** Metadata `layout` of a file in the app's tfjs layout (the script converts it to PyTorch's). */
export const TFJS_LAYOUT = 'tfjs';

/**
 * The trained teacher's weights as a .safetensors file for the script's `--teacher-weights`:
 * every dense / conv kernel and bias as F32, named `<layer>/kernel` and `<layer>/bias`, in the
 * app's tfjs layout (dense [in, out], conv HWIO [kh, kw, in, out], flatten order (h, w, c)), with
 * metadata saying so. Masks of pruned layers are not weights and are left out.
 */
export function teacherSafetensors(
  model: tf.LayersModel,
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const tensors: NamedTensor[] = [];
  for (const layer of model.layers) {
    const names = layer.weights.map((w) => w.originalName.split('/').pop() ?? '');
    layer.getWeights().forEach((value, i) => {
      const suffix = names[i];
      if (suffix !== 'kernel' && suffix !== 'bias') return;
      tensors.push({
        name: `${layer.name}/${suffix}`,
        dtype: 'F32',
        shape: [...value.shape],
        data: Float32Array.from(value.dataSync()),
      });
    });
  }
  return encodeSafetensors(tensors, {
    format: 'compression-playground-weights',
    layout: TFJS_LAYOUT,
    ...metadata,
  });
}
