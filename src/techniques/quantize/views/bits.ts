import type { VariantMeasurement } from '../../../experiment/compare';
import type { Variant } from '../../../experiment/stages';
import { lastWeightQuantizer } from '../../registry';

export interface BitsPoint {
  bits: number;
  /** Accuracy in percent. */
  ptq?: number;
  qat?: number;
}

/**
 * Accuracy against weight bits: every measured variant whose last quantization stage is PTQ or
 * QAT gives one point (x = its weight bits) on that technique's series; sorted 16 → 2 bits.
 */
export function bitsSeries(
  variants: readonly Variant[],
  results: readonly VariantMeasurement[],
): BitsPoint[] {
  const byBits = new Map<number, BitsPoint>();
  for (const result of results) {
    const variant = variants.find((v) => v.name === result.variant);
    const last = variant ? lastWeightQuantizer(variant.stages) : null;
    if (!last || (last.technique !== 'ptq' && last.technique !== 'qat')) continue;
    const bits = last.quantizer.weightBits;
    const point = byBits.get(bits) ?? { bits };
    // Several variants at one width (e.g. dynamic and static PTQ): keep the best.
    point[last.technique] = Math.max(point[last.technique] ?? -Infinity, result.accuracy * 100);
    byBits.set(bits, point);
  }
  return [...byBits.values()].sort((a, b) => b.bits - a.bits);
}
