/**
 * The float export from a tfjs model as the app holds it: its plain layers (masks baked,
 * fake-quant layers read as their float kernels) through the adapter's extractLayers.
 */
import type * as tf from '@tensorflow/tfjs';
import type { NamedLayer } from './adapter';
import { extractLayers } from './adapter';
import type { OnnxExportOptions } from './float';
import { exportFloatOnnx } from './float';
import { onnxSupport } from './support';

function readLayers(model: tf.LayersModel): NamedLayer[] | string {
  try {
    return extractLayers(model);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** null when a tfjs model exports as float ONNX; otherwise the reason it cannot. */
export function modelOnnxSupport(
  model: tf.LayersModel,
  inputShape: readonly number[],
): string | null {
  const layers = readLayers(model);
  return typeof layers === 'string' ? layers : onnxSupport({ kind: 'float', layers, inputShape });
}

/** fp32 ONNX bytes of a tfjs sequential model: exportFloatOnnx(extractLayers(model), inputShape). */
export function exportModelOnnx(
  model: tf.LayersModel,
  inputShape: readonly number[],
  options: OnnxExportOptions = {},
): Uint8Array {
  const layers = readLayers(model);
  if (typeof layers === 'string') throw new RangeError(layers);
  return exportFloatOnnx(layers, inputShape, options);
}
