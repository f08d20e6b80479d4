import type * as tf from '@tensorflow/tfjs';
import type { ModelHandle } from '../network/stage-types';
import { exportModelOnnx, exportQdqOnnx, modelOnnxSupport, onnxSupport } from './onnx';

/** What a variant exports to: the ONNX bytes and notes on anything widened or kept in float. */
export interface OnnxArtifact {
  bytes: Uint8Array;
  notes: string[];
}

/** A model or handle as the ONNX exporter sees it: its integer model, else its float model. */
type Exportable = Pick<ModelHandle, 'model' | 'integerModel'> | { model: tf.LayersModel };

/** Why this model cannot be written as ONNX, or null when it can. */
export function onnxReasonOf(source: Exportable, inputShape: readonly number[]): string | null {
  if ('integerModel' in source && source.integerModel) {
    return onnxSupport({ kind: 'qdq', model: source.integerModel });
  }
  return modelOnnxSupport(source.model, inputShape);
}

/**
 * The ONNX model of what was measured: a quantized variant's integer model as a QDQ graph
 * (int8/uint8 weights with their own per-channel scales, activation grids, int32 bias), any other
 * model as a float graph with masks baked (NCHW input, like torchvision).
 */
export function onnxOf(source: Exportable, inputShape: readonly number[]): OnnxArtifact {
  if ('integerModel' in source && source.integerModel) {
    const qdq = exportQdqOnnx(source.integerModel);
    return { bytes: qdq.bytes, notes: qdq.notes };
  }
  return { bytes: exportModelOnnx(source.model, inputShape), notes: [] };
}
