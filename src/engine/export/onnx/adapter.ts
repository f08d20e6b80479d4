/**
 * Every import this folder takes from the rest of the app, in one place, so that the folder can be
 * re-pointed in one file when modules move. The exporters import types only from here (erased at
 * build time: no tfjs in them); `fromModel` and the tests use the values.
 */
export type { NamedLayer } from '../../techniques/plain';
export { extractLayers } from '../../techniques/plain';
export type { IntegerModel, IntegerOp } from '../../techniques/quant-integer';
export type { QuantParams } from '../../quant';

// Test support: the app's own stages, fixtures and integer path make the models the tests export.
export { buildIntegerModel, runIntegerModel } from '../../techniques/quant-integer';
export { quantizeLayers } from '../../techniques/quant-weights';
export type { WeightQuantConfig } from '../../techniques/quant-weights';
export { calibrateRanges } from '../../techniques/quant-calibrate';
export {
  CNN,
  MLP,
  bars,
  blobs,
  testContext,
  trainedTeacher,
} from '../../techniques/quant-fixtures';
