export {
  createHintRegressor,
  crossEntropy,
  distillationLoss,
  hintLoss,
  normalizedDistances,
  relationDistanceLoss,
  softTargetLoss,
  stopGradient,
  validateDistillationParams,
} from './losses';
export type { DistillationParams } from './losses';
export {
  DEFAULT_TEMPERATURES,
  entropyNats,
  softmaxAtTemperature,
  temperatureSweep,
} from './temperature';
export type { TemperaturePoint } from './temperature';
