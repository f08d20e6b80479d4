import type { Experiment } from './schema';
import type { Stage, Variant } from './stages';
import { baselineStages, controlStages } from '../techniques/registry';
import { sameJson } from './link/compact';

/** A variant as the run sees it: configured, a student's baseline, or an fp32 control. */
export type RunVariant = Variant & {
  role: 'variant' | 'baseline' | 'control';
  /** Id of the fp32 control that repeats this variant's extra training, when it has one. */
  controlId?: string;
};

/** Id of the student-alone baseline of a distilled variant. */
export function baselineId(variantId: string): string {
  return `${variantId}-alone`.slice(0, 32);
}

/** Total epochs of fine-tune stages, e.g. 2 for [finetune 1 ep, finetune 1 ep]. */
function epochsOf(stages: readonly Stage[]): number {
  return stages.reduce((n, s) => n + (s.technique === 'finetune' ? s.params.epochs : 0), 0);
}

/** Name of an fp32 control, e.g. "fp32 control: +1 epoch" or "… +2 epochs at lr 0.0005". */
export function controlName(stages: readonly Stage[], withRate: boolean): string {
  const epochs = epochsOf(stages);
  const rates = [
    ...new Set(stages.map((s) => (s.technique === 'finetune' ? s.params.learningRate : 0))),
  ];
  const rate = withRate ? ` at lr ${rates.join(' / ')}` : '';
  return `fp32 control: +${epochs} epoch${epochs === 1 ? '' : 's'}${rate}`.slice(0, 60);
}

/**
 * The variants to run: each one as configured, followed by the fair baseline of any student
 * variant whose stages have one (distillation → the same student trained on labels alone) and,
 * with `experiment.controls`, the fp32 control of any teacher variant that trains (QAT, pruning
 * or low-rank with fine-tuning → the teacher fine-tuned for the same epochs at the same learning
 * rate, uncompressed), one per distinct training; a plain fine-tune variant that already is that
 * control is used as it is.
 */
export function expandVariants(
  experiment: Pick<Experiment, 'variants' | 'controls'>,
): RunVariant[] {
  const { variants } = experiment;
  const isPlain = (v: Variant) =>
    v.source !== 'student' && v.stages.every((s) => s.technique === 'finetune');
  const controlOf = (v: Variant) =>
    experiment.controls && v.source !== 'student' && !isPlain(v) ? controlStages(v.stages) : null;
  const wanted = variants.map(controlOf).filter((s): s is Stage[] => s !== null);
  const usedIds = new Set(variants.map((v) => v.id));
  const usedNames = new Set(variants.map((v) => v.name));
  const controls: { stages: Stage[]; id: string }[] = [];
  const out: RunVariant[] = [];
  for (const variant of variants) {
    const stages = controlOf(variant);
    let control = stages ? controls.find((c) => sameJson(c.stages, stages)) : undefined;
    let fresh: RunVariant | null = null;
    if (stages && !control) {
      const existing = variants.find((v) => isPlain(v) && sameJson(v.stages, stages));
      let id = existing?.id ?? '';
      for (let n = controls.length + 1; id === '' || (!existing && usedIds.has(id)); n++) {
        id = `fp32-control-${n}`;
      }
      if (!existing) {
        // The learning rate joins the name only when two controls train for as many epochs.
        const twin = wanted.some((w) => !sameJson(w, stages) && epochsOf(w) === epochsOf(stages));
        const base = controlName(stages, twin);
        let name = base;
        for (let k = 2; usedNames.has(name); k++) name = `${base.slice(0, 54)} (${k})`;
        usedIds.add(id);
        usedNames.add(name);
        fresh = { id, name, source: 'teacher', stages, role: 'control' };
      }
      control = { stages, id };
      controls.push(control);
    }
    out.push({ ...variant, role: 'variant', ...(control ? { controlId: control.id } : {}) });
    if (fresh) out.push(fresh);
    const baseline = variant.source === 'student' ? baselineStages(variant.stages) : null;
    if (baseline) {
      out.push({
        ...variant,
        id: baselineId(variant.id),
        name: `${variant.name} — student alone`.slice(0, 60),
        stages: baseline,
        role: 'baseline',
      });
    }
  }
  return out;
}
