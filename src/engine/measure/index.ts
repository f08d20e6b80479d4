/** Measuring a variant the same way for every variant: size, MACs, latency, Pareto, comparison. */
export {
  TENSOR_HEADER_BYTES,
  elementCount,
  gzipBytes,
  hasCompressionStream,
  modelBytes,
  modelBytesBreakdown,
  packCodes,
  packedBytes,
  quantParamBytes,
  sparseIndexBytes,
  tensorBytes,
} from './size';
export type { TensorBytes, TensorEncoding, TensorSizeSpec } from './size';
export { conv2dMacs, denseMacs, effectiveMacs, layerCosts, totalMacs, totalParams } from './macs';
export type { LayerCost, LayerKind } from './macs';
export {
  MIN_TIMED_RUNS,
  MIN_WARMUP_RUNS,
  measureLatency,
  nearestRankPercentile,
  summarizeLatency,
} from './latency';
export type { LatencyOptions, LatencyStats } from './latency';
export { dominates, paretoFrontier } from './pareto';
export type { ParetoPoint } from './pareto';
export {
  RESULT_COLUMNS,
  compareToTeacher,
  csvField,
  resultRow,
  resultsToCsv,
  safeRatio,
} from './compare';
export type { Comparison, ResultRow, VariantMeasurement } from './compare';
