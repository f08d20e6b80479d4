/**
 * The one list of techniques. The experiment schema, the stage editor, the chips and the
 * engine's stage runner are all built from it: adding a technique is its folder plus one line.
 */
import type { z } from 'zod';
import { distillSpec } from './distill/spec';
import { finetuneSpec } from './finetune/spec';
import { lowrankSpec } from './lowrank/spec';
import { pruneSpec } from './prune/spec';
import { ptqSpec, qatSpec } from './quantize/spec';
import { shareSpec } from './share/spec';
import type { StageValue, TechniqueSpec, WeightQuantizer } from './technique';

export const TECHNIQUES = [
  finetuneSpec,
  ptqSpec,
  qatSpec,
  pruneSpec,
  distillSpec,
  lowrankSpec,
  shareSpec,
] as const;

export type AnyTechnique = (typeof TECHNIQUES)[number];
export type TechniqueId = AnyTechnique['id'];

/** A stage of one technique: `{ technique: id, params }`, distributed over the list. */
type StageOf<S> =
  S extends TechniqueSpec<infer Id, infer Schema>
    ? { technique: Id; params: z.output<Schema> }
    : never;
export type Stage = StageOf<AnyTechnique>;

const BY_ID = new Map<string, TechniqueSpec>(TECHNIQUES.map((t) => [t.id, t as TechniqueSpec]));

/** The spec of a technique id (the id is validated by the schema before it gets here). */
export function techniqueOf(id: string): TechniqueSpec {
  const spec = BY_ID.get(id);
  if (!spec) throw new Error(`Unknown technique '${id}'.`);
  return spec;
}

/** The spec of a stage, with its params typed loosely (for generic code: chips, editor, engine). */
export function specOfStage(stage: Stage): TechniqueSpec<string, z.ZodObject> {
  return techniqueOf(stage.technique) as TechniqueSpec<string, z.ZodObject>;
}

/** Chip and pipeline text of a stage, from its technique's summary. */
export function stageSummary(stage: Stage): string {
  return specOfStage(stage).summary(stage.params as never);
}

/** The last stage that quantizes weights, with its technique id and weight grid, or null. */
export function lastWeightQuantizer(
  stages: readonly Stage[],
): { technique: TechniqueId; quantizer: WeightQuantizer } | null {
  for (let i = stages.length - 1; i >= 0; i--) {
    const stage = stages[i]!;
    const quantizer = specOfStage(stage).weightQuantizer?.(stage.params);
    if (quantizer) return { technique: stage.technique, quantizer };
  }
  return null;
}

/** Whether any stage learns from the teacher's outputs (distillation). */
export function learnsFromTeacher(stages: readonly Stage[]): boolean {
  return stages.some((s) => specOfStage(s).usesTeacherOutputs === true);
}

/**
 * The stages of a variant's fp32 control: the label training its stages add (epochs, learning
 * rate), in order, without compressing; null when no stage trains.
 */
export function controlStages(stages: readonly Stage[]): Stage[] | null {
  const out = stages
    .map((s) => specOfStage(s).fineTuning?.(s.params) ?? null)
    .filter((s): s is StageValue => s !== null);
  return out.length > 0 ? (out as Stage[]) : null;
}

/** The stages of the fair baseline (each stage replaced by its baseline), or null if none. */
export function baselineStages(stages: readonly Stage[]): Stage[] | null {
  let changed = false;
  const out = stages.map((s) => {
    const baseline = specOfStage(s).baseline?.(s.params);
    if (!baseline) return s;
    changed = true;
    return baseline as Stage;
  });
  return changed ? out : null;
}
