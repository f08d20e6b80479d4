import type * as tf from '@tensorflow/tfjs';
import type { ModelHandle } from '../network/stage-types';
import { exportModelOnnx, exportQdqOnnx, modelOnnxSupport, onnxSupport } from './onnx';

/** What a variant exports to: the ONNX bytes and notes on anything widened or kept in float. */
export interface OnnxArtifact {
  bytes: Uint8Array;
  notes: string[];
}

/** A model or handle as the ONNX exporter sees it: its integer model, else its float model. */
type Exportable =
  | Pick<ModelHandle, 'model' | 'integerModel' | 'predict' | 'predictPath'>
  | { model: tf.LayersModel };

/** Said when a variant was measured on its own converted path that the ONNX graph does not hold. */
export const FLOAT_GRAPH_NOTE =
  'the ONNX graph holds the float weights ŵ the variant dequantizes to; the app measured it on ';

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
  const bytes = exportModelOnnx(source.model, inputShape);
  // e.g. dynamic PTQ: measured with per-batch activation grids, which a float graph does not have.
  const converted = 'predict' in source && source.predict !== undefined;
  const path = 'predictPath' in source ? source.predictPath : undefined;
  return { bytes, notes: converted ? [`${FLOAT_GRAPH_NOTE}${path ?? 'a converted path'}`] : [] };
}
