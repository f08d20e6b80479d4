/** Public API of the quantization engine. */
export type { QuantConfig, QuantParams, QuantScheme } from './quantizer';
export {
  assertBits,
  channelLayout,
  computeQuantParams,
  dequantize,
  fakeQuantizeArray,
  quantParamsFromRange,
  quantRange,
  quantize,
  rangeOf,
  roundHalfEven,
} from './quantizer';
export type { Log2Codes, Log2Params } from './log2';
export { log2Dequantize, log2FakeQuantize, log2Params, log2Quantize } from './log2';
export {
  float16BitsToFloat32,
  float16RoundTrip,
  float32ToFloat16Bits,
  fromFloat16Bits,
  toFloat16Bits,
} from './float16';
export type { ObservedRange, ObserverOptions, RangeObserver } from './observers';
export {
  MinMaxObserver,
  MovingAverageMinMaxObserver,
  PercentileObserver,
  batchRange,
  quantileSorted,
} from './observers';
export {
  fakeQuantize,
  fakeQuantizeLsq,
  lsqGradScale,
  quantParamsToTensors,
  rangeToQuantTensors,
  steMask,
  withoutGradient,
} from './fake-quant';
export { packBits, packRange, packedBytes, unpackBits } from './packing';
export type {
  FakeQuantConv2DArgs,
  FakeQuantDenseArgs,
  QLayerActivation,
  WeightQuantArgs,
  WeightQuantizer,
} from './qlayers';
export { FakeQuantConv2D, FakeQuantDense, QLAYER_ACTIVATIONS } from './qlayers';
export type { ActivationFakeQuantArgs } from './activation-quant';
export { ActivationFakeQuant } from './activation-quant';
export type { IntegerLayer, IntegerLayerOptions } from './integer-inference';
export {
  integerConv2dValid,
  integerDense,
  quantizeBias,
  quantizeLayerForIntegerInference,
  requantize,
} from './integer-inference';
export { quantizationSqnrDb, sqnrDb } from './sqnr';
