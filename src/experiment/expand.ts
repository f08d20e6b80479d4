import type { Variant } from './stages';
import { baselineStages } from '../techniques/registry';

/** Id of the student-alone baseline of a distilled variant. */
export function baselineId(variantId: string): string {
  return `${variantId}-alone`.slice(0, 32);
}

/**
 * The variants to run: each one as configured, followed by the fair baseline of any student
 * variant whose stages have one (distillation → the same student trained on labels alone).
 */
export function expandVariants(variants: readonly Variant[]): Variant[] {
  const out: Variant[] = [];
  for (const variant of variants) {
    out.push(variant);
    const stages = variant.source === 'student' ? baselineStages(variant.stages) : null;
    if (stages) {
      out.push({
        ...variant,
        id: baselineId(variant.id),
        name: `${variant.name} — student alone`.slice(0, 60),
        stages,
      });
    }
  }
  return out;
}
