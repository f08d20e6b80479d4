export { svd } from './svd';
export type { Svd } from './svd';
export {
  breakEvenRank,
  convKernelToMatrix,
  denseParamCount,
  factorizeConvKernel,
  factorizeMatrix,
  lowRankParamCount,
  matrixFactorsToConv,
  rankForEnergy,
  relativeTruncationError,
  resolveRank,
  spectrum,
  truncateSvd,
} from './factorize';
export type {
  ConvFactors,
  KernelShape,
  LowRankFactors,
  RankChoice,
  SingularValueSplit,
  Spectrum,
} from './factorize';
