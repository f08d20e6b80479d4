import type { ArchitectureSpec } from '../architecture';
import { cnnSchema, mlpSchema } from '../architecture';
import type { Experiment } from '../schema';
import { experimentSchema } from '../schema';
import type { Stage, Variant } from '../stages';
import { stageSchema } from '../stages';

type Json = Record<string, unknown>;

/** Structural equality of JSON-like values (key order ignored). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Json)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Json)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && sameJson((a as Json)[k], (b as Json)[k]));
}

/** The fields of `value` that differ from `defaults` (undefined ones dropped). */
export function withoutDefaults(value: object, defaults: object): Json {
  const out: Json = {};
  for (const [key, v] of Object.entries(value)) {
    if (v === undefined) continue;
    if (!sameJson(v, (defaults as Json)[key])) out[key] = v;
  }
  return out;
}

const DEFAULTS = experimentSchema.parse({});

/** Defaults of a stage's params, by technique. */
function stageDefaults(technique: Stage['technique']): object {
  return stageSchema.parse({ technique }).params;
}

/** An architecture as `kind` plus the fields that differ from that kind's defaults. */
export function compactArchitecture(arch: ArchitectureSpec): Json {
  const defaults =
    arch.kind === 'mlp' ? mlpSchema.parse({ kind: 'mlp' }) : cnnSchema.parse({ kind: 'cnn' });
  return { kind: arch.kind, ...withoutDefaults(arch, defaults) };
}

function compactStage(stage: Stage): Json {
  const params = withoutDefaults(stage.params, stageDefaults(stage.technique));
  return Object.keys(params).length > 0
    ? { technique: stage.technique, params }
    : { technique: stage.technique };
}

function compactVariant(variant: Variant): Json {
  const out: Json = { id: variant.id, name: variant.name };
  if (variant.source !== 'teacher') out.source = variant.source;
  if (variant.student !== undefined) out.student = compactArchitecture(variant.student);
  if (variant.stages.length > 0) out.stages = variant.stages.map(compactStage);
  return out;
}

/**
 * The experiment as short JSON: every field equal to its schema default is dropped (restoring
 * fills it back), `v` is always kept. Architectures keep `kind`, stages keep `technique`.
 */
export function compactExperiment(experiment: Experiment): Json {
  const out: Json = { v: experiment.v };
  for (const key of ['name', 'seed', 'backend', 'controls'] as const) {
    if (experiment[key] !== DEFAULTS[key]) out[key] = experiment[key];
  }
  const dataset = withoutDefaults(experiment.dataset, DEFAULTS.dataset);
  if (Object.keys(dataset).length > 0) out.dataset = dataset;
  const teacher: Json = {};
  const { architecture, training } = experiment.teacher;
  if (!sameJson(architecture, DEFAULTS.teacher.architecture)) {
    teacher.architecture = compactArchitecture(architecture);
  }
  const trainingDiff = withoutDefaults(training, DEFAULTS.teacher.training);
  if (Object.keys(trainingDiff).length > 0) teacher.training = trainingDiff;
  if (Object.keys(teacher).length > 0) out.teacher = teacher;
  if (experiment.variants.length > 0) out.variants = experiment.variants.map(compactVariant);
  return out;
}
