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
