/** Parameter schemas several techniques share (bits, epochs, learning rate). */
import { z } from 'zod';

/** Bit width of a quantizer grid, 2–16. */
export const bitsParam = z
  .number()
  .int('bits must be a whole number')
  .min(2, 'bits must be between 2 and 16')
  .max(16, 'bits must be between 2 and 16');

/** A layer name as models name them (conv1, dense2, logits …): 1–40 of a–z, 0–9, _. */
export const layerNameParam = z
  .string()
  .regex(/^[a-z0-9_]{1,40}$/, 'layer names are 1–40 lowercase letters, digits or _');

/**
 * Per-layer weight bits (layer name → 2–16) overriding `weightBits` for the named layers: mixed
 * precision, e.g. from the quantization sensitivity scan.
 */
export const layerBitsParam = z.record(layerNameParam, bitsParam).optional();

/** Training epochs of a stage, 0–50 (0 skips training). */
export const epochsParam = z.number().int().min(0).max(50);

/** Learning rate of a stage's optimizer, in (0, 1]. */
export const learningRateParam = z.number().gt(0, 'learning rate must be above 0').max(1);

/** The plain fine-tune stage of `epochs` at `learningRate`, or null for no training (epochs = 0). */
export function fineTuneStage(
  epochs: number,
  learningRate: number,
): { technique: 'finetune'; params: { epochs: number; learningRate: number } } | null {
  return epochs > 0 ? { technique: 'finetune', params: { epochs, learningRate } } : null;
}

/** Percentage with no decimals, e.g. 0.5 → "50%". */
export function wholePercent(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
