/**
 * Copies of GPU values on the CPU, made by asynchronous reads, for the code that later reads
 * them synchronously (dataSync: weights for sizes, exports, layer extraction). On WebGPU, tfjs
 * reads a GPU buffer synchronously through a canvas, and in Chromium 156 that returned zeros and
 * destroyed the device (seen on SwiftShader); an async read keeps the values on the CPU beside the
 * GPU buffer, so later synchronous reads are served from there.
 */
import * as tf from '@tensorflow/tfjs';

/** On WebGPU, awaits each tensor's values onto the CPU; elsewhere nothing (sync reads are safe). */
export async function mirrorOnCpu(tensors: readonly tf.Tensor[]): Promise<void> {
  if (tf.getBackend() !== 'webgpu') return;
  await Promise.all(tensors.filter((t) => !t.isDisposed).map((t) => t.data()));
}

/** mirrorOnCpu of every weight of a model (its variables' current values). */
export function mirrorWeights(model: tf.LayersModel): Promise<void> {
  return mirrorOnCpu(model.weights.map((w) => w.read()));
}

/** A tapped tensor's values, read back asynchronously, and its shape. */
export interface TapValues {
  values: Float32Array;
  shape: number[];
}

/**
 * Runs `record` inside a tidy, keeping a copy of each tensor it taps under its key, then reads
 * every copy back asynchronously (safe on WebGPU) and frees them all, also when `record` or a
 * read throws: the tapped values by key, in tap order.
 */
export async function readTaps(
  record: (tap: (key: string, t: tf.Tensor) => void) => void,
): Promise<Map<string, TapValues>> {
  const kept = new Map<string, tf.Tensor>();
  try {
    tf.tidy(() => {
      record((key, t) => {
        kept.get(key)?.dispose();
        kept.set(key, tf.keep(t.clone()));
      });
    });
    const values = await Promise.all([...kept.values()].map((t) => t.data()));
    const out = new Map<string, TapValues>();
    [...kept].forEach(([key, t], i) => {
      const v = values[i]!;
      out.set(key, {
        values: v instanceof Float32Array ? v : Float32Array.from(v),
        shape: t.shape.slice(),
      });
    });
    return out;
  } finally {
    tf.dispose([...kept.values()]);
  }
}
