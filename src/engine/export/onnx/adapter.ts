/**
 * Every import this folder takes from the rest of the app, in one place, so that the folder can be
 * re-pointed in one file when modules move. The exporters import types only from here (erased at
 * build time: no tfjs in them); `fromModel` and the tests use the values.
 */
export type { NamedLayer } from '../../techniques/plain';
export { extractLayers } from '../../techniques/plain';
export type { IntegerModel, IntegerOp } from '../../techniques/quant-integer';
export type { QuantParams } from '../../quant';

// Test support: the app's own data, stages, fixtures and integer path make the models the tests
// export, so the files are checked against what the app really builds.
export type { ArchitectureSpec } from '../../../experiment/schema';
export { lowrankParams, pruneParams } from '../../../experiment/stages';
export type { Dataset } from '../../data/types';
export { PREPARE_DATA_HINT, parseDatasetFile, takeSubset } from '../../data/binary';
export { makeSyntheticDataset } from '../../data/synthetic';
export { buildFromLayers } from '../../techniques/plain';
export { disposeHandle } from '../../techniques/handle';
export type { ModelHandle } from '../../techniques/types';
export { runPrune } from '../../techniques/prune';
export { runLowrank } from '../../techniques/lowrank';
export { runPtq, ptqWeightConfig } from '../../techniques/ptq';
export { runQat } from '../../techniques/qat';
export { inputRangesOf, qatQuantizedLayers } from '../../techniques/quant-qat-model';
export { buildIntegerModel, runIntegerModel } from '../../techniques/quant-integer';
export { quantizeLayers } from '../../techniques/quant-weights';
export { calibrateRanges } from '../../techniques/quant-calibrate';
export {
  bars,
  ptqParamsWith,
  qatParamsWith,
  testContext,
  trainedTeacher,
} from '../../techniques/quant-fixtures';
