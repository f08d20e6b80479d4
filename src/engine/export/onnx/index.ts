/** ONNX export of every variant: float models from plain layers, quantized ones as QDQ. */
export { FLOAT_OPSET, exportFloatOnnx } from './float';
export type { OnnxExportOptions } from './float';
export { INT4_INT16_OPSET, QDQ_OPSET, exportQdqOnnx } from './qdq';
export type { QdqExport, QdqExportOptions } from './qdq';
export { onnxSupport } from './support';
export type { OnnxSource } from './support';
export { exportModelOnnx, modelOnnxSupport } from './from-model';
export { decodeModel } from './proto';
export { inspectOnnx } from './inspect';
export type { OnnxModelInfo, OnnxNodeInfo, OnnxTensorInfo } from './inspect';
export { nhwcToNchw, onnxInputShape } from './layout';
