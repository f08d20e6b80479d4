/**
 * The WGSL int8 path on tfjs's WebGPU backend: the model runs on the backend's own device, reading
 * the input tensor's GPU buffer and handing its logits buffer back as a tensor, so nothing goes
 * through the CPU between the two.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import type { IntegerModel } from '../../../techniques/quantize/stage/integer-model';
import { createGpuInt8Model, WGSL_FEATURE } from './gpu-model';
import { planWgsl } from './plan';

export interface WgslPredictor {
  predict: (x: tf.Tensor) => tf.Tensor;
  /** Frees the path's GPU buffers. */
  dispose: () => void;
}

/** The integer model on the WGSL int8 path of the active WebGPU backend, or why not. */
export async function wgslPredictor(
  model: IntegerModel,
): Promise<WgslPredictor | { reason: string }> {
  if (tf.getBackend() !== 'webgpu') return { reason: 'the active backend is not WebGPU' };
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu?.wgslLanguageFeatures.has(WGSL_FEATURE)) {
    return { reason: `this browser's WGSL has no ${WGSL_FEATURE}` };
  }
  const plan = planWgsl(model);
  if ('reason' in plan) return plan;
  const device = (tf.backend() as WebGPUBackend).device;
  device.pushErrorScope('validation');
  const gpuModel = createGpuInt8Model(device, plan);
  const predict = (x: tf.Tensor): tf.Tensor => {
    const batch = x.shape[0] ?? 0;
    let input: GPUBuffer;
    let copy: tf.Tensor | undefined;
    try {
      const data = x.dataToGPU();
      input = data.buffer!;
      copy = data.tensorRef;
    } catch {
      // The tensor's values are still on the CPU (never uploaded): write them in.
      input = gpuModel.inputBuffer(batch);
      device.queue.writeBuffer(input, 0, new Float32Array(x.dataSync()));
    }
    const out = gpuModel.run(input, batch);
    copy?.dispose();
    return tf.tensor({ buffer: out }, [batch, plan.outputSize], 'float32');
  };
  // One batch through every pipeline, so a shader the driver rejects is caught here.
  tf.tidy(() => predict(tf.zeros([1, ...model.inputShape])));
  const error = await device.popErrorScope();
  if (error) {
    gpuModel.dispose();
    return { reason: `the GPU rejected the int8 shaders: ${error.message}` };
  }
  return { predict, dispose: () => gpuModel.dispose() };
}
