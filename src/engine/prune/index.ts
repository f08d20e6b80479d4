export {
  applyMask,
  assertSparsity,
  globalMagnitudeMasks,
  magnitudeMask,
  prunedCount,
  sparsityOf,
  type GlobalPruneResult,
} from './magnitude';
export { assertNM, kernelView, nmMask, satisfiesNM } from './nm';
export {
  appliedSparsity,
  isPruningStep,
  iterativeRoundFraction,
  iterativeSparsities,
  polynomialDecaySparsity,
  pruningEvents,
  type GradualSchedule,
  type PruningEvent,
  type PruningSchedule,
} from './schedule';
export {
  MASKED_ACTIVATIONS,
  MaskedConv2D,
  MaskedDense,
  isMaskedLayer,
  type MaskedActivation,
  type MaskedConv2DArgs,
  type MaskedDenseArgs,
} from './masked-layers';
export {
  ENTROPY_BINS,
  removeUnits,
  structuredPrune,
  unitKernelMask,
  unitScores,
  unitsToPrune,
  zeroUnits,
  type ConvWeights,
  type DenseWeights,
  type PlainLayer,
  type UnitActivation,
  type UnitCriterion,
  type WeightLayer,
} from './structured';
export {
  bitmaskBytes,
  csrBytes,
  csrIndexBytes,
  denseBytes,
  effectiveMacs,
  nonZeroCount,
  sparseSize,
  totalEffectiveMacs,
  type SparseFormat,
  type SparseSize,
} from './sparse-size';
export {
  DEFAULT_SENSITIVITY_GRID,
  pickLayerSparsities,
  sensitivityScan,
  type EvaluateWeights,
  type SensitivityOptions,
  type SensitivityResult,
} from './sensitivity';
