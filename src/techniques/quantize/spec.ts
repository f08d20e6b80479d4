import { z } from 'zod';
import { defineTechnique } from '../technique';
import type { WeightQuantizer } from '../technique';
import {
  bitsParam,
  epochsParam,
  fineTuneStage,
  layerBitsParam,
  learningRateParam,
} from '../params';

const scheme = z.enum(['symmetric', 'asymmetric']).default('symmetric');
const granularity = z.enum(['per-tensor', 'per-channel']).default('per-channel');

/**
 * Post-training quantization: weight-only (activations stay float), dynamic (activations
 * quantized per batch at run time) or static (activation grids calibrated ahead of time).
 */
export const ptqParams = z.object({
  mode: z.enum(['weight-only', 'dynamic', 'static']).default('static'),
  weightBits: bitsParam.default(8),
  layerBits: layerBitsParam,
  activationBits: bitsParam.default(8),
  scheme,
  granularity,
  /** Power-of-two (log2) weight levels instead of uniform ones. */
  powerOfTwo: z.boolean().default(false),
  observer: z.enum(['minmax', 'ema', 'percentile']).default('minmax'),
  emaMomentum: z.number().min(0).max(0.9999).default(0.9),
  percentile: z
    .number()
    .gt(0, 'percentile must be in (0, 100]')
    .max(100, 'percentile must be in (0, 100]')
    .default(99.99),
  calibrationSize: z
    .number()
    .int()
    .min(1, 'the calibration set cannot be empty')
    .max(10_000)
    .default(256),
});
export type PtqParams = z.infer<typeof ptqParams>;

/** Quantization-aware training with fake-quant layers and a straight-through estimator. */
export const qatParams = z.object({
  weightBits: bitsParam.default(8),
  layerBits: layerBitsParam,
  activationBits: bitsParam.default(8),
  scheme,
  granularity,
  /** Learn the weight scales (LSQ) instead of taking them from min/max. */
  learnedScale: z.boolean().default(false),
  /** Start from random weights instead of fine-tuning the input model. */
  fromScratch: z.boolean().default(false),
  epochs: epochsParam.default(2),
  learningRate: learningRateParam.default(0.0005),
});
export type QatParams = z.infer<typeof qatParams>;

const gridFields = {
  weightBits: { label: 'Weight bits', hint: '2–16; per-layer bits (mixed precision) override it' },
  activationBits: {
    label: 'Activation bits',
    hint: "2–16; 7 is PyTorch's x86 default (reduce_range): our relaxed-SIMD int8 dot then takes one step",
  },
  scheme: { label: 'Scheme', hint: 'symmetric: zero point 0' },
  granularity: { label: 'Scales', hint: 'one per tensor, or one per output channel' },
};

/** Whether per-layer weight bits are set (mixed precision). */
export function isMixedPrecision(params: { layerBits?: Record<string, number> }): boolean {
  return Object.keys(params.layerBits ?? {}).length > 0;
}

/** Weight bits in a chip: 'w4', or the range of a mixed allocation, 'w2–8' (min…max of all). */
export function weightBitsText(params: {
  weightBits: number;
  layerBits?: Record<string, number>;
}): string {
  if (!isMixedPrecision(params)) return `w${params.weightBits}`;
  const all = [params.weightBits, ...Object.values(params.layerBits ?? {})];
  const lo = Math.min(...all);
  const hi = Math.max(...all);
  return lo === hi ? `w${lo}` : `w${lo}–${hi}`;
}

/**
 * Pipeline text, e.g. 'PTQ w8a8 static', 'PTQ w8a8 dynamic', 'PTQ w4 weight-only pow2',
 * 'PTQ w2–8a8 static mixed'.
 */
export function ptqSummary(params: PtqParams): string {
  const bits =
    params.mode === 'weight-only'
      ? weightBitsText(params)
      : `${weightBitsText(params)}a${params.activationBits}`;
  const extras = [
    params.powerOfTwo ? 'pow2' : params.scheme === 'asymmetric' ? 'asym' : '',
    params.granularity === 'per-tensor' ? 'per-tensor' : '',
    isMixedPrecision(params) ? 'mixed' : '',
  ].filter(Boolean);
  return ['PTQ', bits, params.mode, ...extras].join(' ');
}

/** Pipeline text, e.g. 'QAT w4a8', 'QAT w4a8 asym LSQ per-tensor, from scratch'. */
export function qatSummary(params: QatParams): string {
  const extras = [
    params.scheme === 'asymmetric' ? 'asym' : '',
    params.learnedScale ? 'LSQ' : '',
    params.granularity === 'per-tensor' ? 'per-tensor' : '',
    isMixedPrecision(params) ? 'mixed' : '',
  ].filter(Boolean);
  const text = ['QAT', `${weightBitsText(params)}a${params.activationBits}`, ...extras].join(' ');
  return params.fromScratch ? `${text}, from scratch` : text;
}

export const ptqSpec = defineTechnique({
  id: 'ptq',
  label: 'Post-training quantization',
  description:
    'Round the trained weights (and, static, the activations) to a few bits, no training.',
  params: ptqParams,
  fields: {
    mode: {
      label: 'Mode',
      hint: 'weight-only: float activations; dynamic: activations quantized per batch; static: calibrated grids',
    },
    ...gridFields,
    powerOfTwo: { label: 'Power-of-two levels' },
    observer: { label: 'Range observer' },
    emaMomentum: { label: 'EMA momentum' },
    percentile: { label: 'Percentile', hint: 'clip range, e.g. 99.99' },
    calibrationSize: { label: 'Calibration examples' },
  },
  summary: ptqSummary,
  weightQuantizer: (p): WeightQuantizer => ({
    weightBits: p.weightBits,
    ...(isMixedPrecision(p) ? { layerBits: p.layerBits } : {}),
    scheme: p.scheme,
    granularity: p.granularity,
    powerOfTwo: p.powerOfTwo,
  }),
  stage: () => import('./stage/ptq'),
});

export const qatSpec = defineTechnique({
  id: 'qat',
  label: 'Quantization-aware training',
  description:
    'Train with fake-quantized weights and activations so the model learns to live with the grid.',
  params: qatParams,
  fields: {
    ...gridFields,
    learnedScale: { label: 'Learn scales (LSQ)' },
    fromScratch: { label: 'Train from scratch' },
    epochs: { label: 'Epochs', hint: '0 skips training' },
    learningRate: { label: 'Learning rate' },
  },
  summary: qatSummary,
  fineTuning: (p) => (p.fromScratch ? null : fineTuneStage(p.epochs, p.learningRate)),
  weightQuantizer: (p): WeightQuantizer => ({
    weightBits: p.weightBits,
    ...(isMixedPrecision(p) ? { layerBits: p.layerBits } : {}),
    scheme: p.scheme,
    granularity: p.granularity,
  }),
  stage: () => import('./stage/qat'),
});
