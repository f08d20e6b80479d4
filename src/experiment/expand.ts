import type { Stage, Variant } from './stages';

/** Id of the student-alone baseline of a distilled variant. */
export function baselineId(variantId: string): string {
  return `${variantId}-alone`.slice(0, 32);
}

/**
 * The fair baseline of a distillation stage: the same student, seed, epochs, learning rate and
 * optimizer, trained on the labels alone (distill → finetune with identical settings).
 */
export function baselineStage(stage: Extract<Stage, { technique: 'distill' }>): Stage {
  return {
    technique: 'finetune',
    params: { epochs: stage.params.epochs, learningRate: stage.params.learningRate },
  };
}

/**
 * The variants to run: each one as configured, followed by the student-alone baseline of any
 * variant with a distillation stage that asks for one.
 */
export function expandVariants(variants: readonly Variant[]): Variant[] {
  const out: Variant[] = [];
  for (const variant of variants) {
    out.push(variant);
    const wantsBaseline = variant.stages.some(
      (s) => s.technique === 'distill' && s.params.baseline,
    );
    if (variant.source === 'student' && wantsBaseline) {
      out.push({
        ...variant,
        id: baselineId(variant.id),
        name: `${variant.name} — student alone`.slice(0, 60),
        stages: variant.stages.map((s) => (s.technique === 'distill' ? baselineStage(s) : s)),
      });
    }
  }
  return out;
}
