/**
 * The shape every technique shares. A technique folder exports one spec: what the experiment
 * schema, the stage editor, the chips and the engine need to know about it. The spec is pure
 * (no tfjs): its tfjs half, `stage()`, is loaded lazily and only ever called in the worker.
 */
import type { z } from 'zod';
import type { ModelHandle, StageContext } from '../engine/network/stage-types';

/** A parameter's label and one-line hint in the stage editor. */
export interface FieldText {
  label: string;
  hint?: string;
}

/** How a technique quantizes weights, for views and exports that need to know. */
export interface WeightQuantizer {
  weightBits: number;
  /** Mixed precision: weight bits of the named layers (the others use weightBits). */
  layerBits?: Readonly<Record<string, number>>;
  scheme: 'symmetric' | 'asymmetric';
  granularity: 'per-tensor' | 'per-channel';
  powerOfTwo?: boolean;
}

/** The worker half of a technique: runs the stage on a model handle. */
export interface TechniqueStage<P> {
  run(ctx: StageContext, input: ModelHandle, params: P): Promise<ModelHandle>;
}

/** A stage as the experiment stores it: a technique id and its params. */
export interface StageValue<Id extends string = string, P = unknown> {
  technique: Id;
  params: P;
}

/** One technique: id, label, validated params, chip text, facts, and its lazily loaded stage. */
export interface TechniqueSpec<
  Id extends string = string,
  Schema extends z.ZodObject = z.ZodObject,
> {
  id: Id;
  /** Name in menus, e.g. "Post-training quantization". */
  label: string;
  /** One sentence a student reads before adding the stage. */
  description: string;
  /** The params: defaults, bounds and messages in one zod object. */
  params: Schema;
  /** Label and hint of each parameter in the stage editor. */
  fields: { [K in keyof z.output<Schema>]?: FieldText };
  /** Stage chip and pipeline text, e.g. "PTQ w8a8 static". */
  summary(params: z.output<Schema>): string;
  /** The weight grid the shipped artifact stores, when the technique quantizes weights. */
  weightQuantizer?(params: z.output<Schema>): WeightQuantizer;
  /** A stage that trains the same model without the teacher (the fair baseline), if any. */
  baseline?(params: z.output<Schema>): StageValue | null;
  /**
   * The training on labels this stage adds (epochs, learning rate), as the plain fine-tune stage
   * an fp32 control repeats without compressing; null when it adds none.
   */
  fineTuning?(params: z.output<Schema>): StageValue | null;
  /** The stage learns from the teacher's outputs (the temperature view applies). */
  usesTeacherOutputs?: boolean;
  /** The tfjs half; import it in the worker only. */
  stage(): Promise<TechniqueStage<z.output<Schema>>>;
}

/** Identity with the types checked: `defineTechnique({ id: 'ptq', … })`. */
export function defineTechnique<const Id extends string, Schema extends z.ZodObject>(
  spec: TechniqueSpec<Id, Schema>,
): TechniqueSpec<Id, Schema> {
  return spec;
}
