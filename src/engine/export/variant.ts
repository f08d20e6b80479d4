import type { Variant } from '../../experiment/stages';
import { lastWeightQuantizer } from '../../techniques/registry';

/** Whether a variant ships ≤ 8-bit weights (its last weight quantizer has bits ≤ 8). */
export function shipsUint8(variant: Variant): boolean {
  const last = lastWeightQuantizer(variant.stages);
  return last !== null && last.quantizer.weightBits <= 8;
}
