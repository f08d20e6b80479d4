/**
 * Test support: the app's own data, stages, fixtures and integer path make the models the tests
 * export, so the files are checked against what the app really builds. Tests only.
 */
export type { ArchitectureSpec } from '../../../experiment/schema';
export { lowrankParams } from '../../../techniques/lowrank/spec';
export { pruneParams } from '../../../techniques/prune/spec';
export type { Dataset } from '../../data/types';
export { PREPARE_DATA_HINT, parseDatasetFile, takeSubset } from '../../data/binary';
export { makeSyntheticDataset } from '../../data/synthetic';
export { buildFromLayers } from '../../network/layer-ir';
export { disposeHandle } from '../../network/handle';
export type { ModelHandle } from '../../network/stage-types';
export { runPrune } from '../../../techniques/prune/stage/prune';
export { runLowrank } from '../../../techniques/lowrank/stage/lowrank';
export { runPtq, ptqWeightConfig } from '../../../techniques/quantize/stage/ptq';
export { runQat } from '../../../techniques/quantize/stage/qat';
export { inputRangesOf, qatQuantizedLayers } from '../../../techniques/quantize/stage/qat-model';
export {
  buildIntegerModel,
  runIntegerModel,
} from '../../../techniques/quantize/stage/integer-model';
export { quantizeLayers } from '../../../techniques/quantize/weights';
export { calibrateRanges } from '../../../techniques/quantize/stage/calibrate';
export { bars, testContext, trainedTeacher } from '../../network/test-fixtures';
export { ptqParamsWith, qatParamsWith } from '../../../techniques/quantize/stage/test-fixtures';
