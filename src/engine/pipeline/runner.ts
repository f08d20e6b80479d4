import { mirrorWeights } from '../backends/cpu-mirror';
import type * as tf from '@tensorflow/tfjs';
import type { Stage, Variant } from '../../experiment/stages';
import type { ArchitectureSpec } from '../../experiment/schema';
import type { Dataset } from '../data/types';
import type { TeacherOutcome, VariantMeasurement } from '../../experiment/measurement';
import { buildModel } from '../network/build';
import { createRng } from '../rng';
import { disposeHandle, handleFromModel } from '../network/handle';
import type { ModelHandle, StageContext } from '../network/stage-types';
import type { StageLoader } from './registry';
import type { RunControl } from '../train/control';
import type { StepRecord } from '../train/loop';
import { measureHandle, shippedPredictor } from './measure-variant';
import type { TeacherReference } from './measure-variant';

/** What the runner tells the page while it works. */
export type RunEvent =
  | {
      kind: 'stage';
      variantId: string;
      stageIndex: number;
      status: 'running' | 'done' | 'reused';
      label: string;
    }
  | { kind: 'progress'; variantId: string; fraction: number; message: string }
  | { kind: 'measuring'; variantId: string }
  | { kind: 'teacher'; teacher: TeacherOutcome }
  | { kind: 'result'; variantId: string; measurement: VariantMeasurement; predictions: Uint8Array }
  | { kind: 'error'; variantId: string; message: string };

export interface VariantRunOptions {
  data: Dataset;
  teacher: tf.LayersModel;
  teacherArchitecture: ArchitectureSpec;
  seed: number;
  control: RunControl;
  /** The worker half of each technique (tests pass fakes). */
  stages: StageLoader;
  /** Cache of stage outputs keyed by the pipeline prefix: unchanged upstream work is reused. */
  cache: Map<string, ModelHandle>;
  /** Identifies the teacher the cache was built from; a retrained teacher clears the cache. */
  teacherKey: string;
  onEvent: (event: RunEvent) => void;
  onStep: (variantId: string, record: StepRecord) => void;
}

/** Cache key of a pipeline prefix: teacher, source, student, and stages[0..n). */
export function prefixKey(teacherKey: string, variant: Variant, stageCount: number): string {
  return JSON.stringify([
    teacherKey,
    variant.source,
    variant.student ?? null,
    variant.stages.slice(0, stageCount),
  ]);
}

function sourceHandle(
  variant: Variant,
  options: VariantRunOptions,
): { handle: ModelHandle; owned: boolean } {
  const { data, teacher, teacherArchitecture, seed } = options;
  if (variant.source === 'teacher') {
    return {
      handle: handleFromModel(
        teacher,
        teacherArchitecture,
        data.inputShape,
        data.numClasses,
        'teacher',
      ),
      owned: false,
    };
  }
  const spec = variant.student!;
  const model = buildModel(spec, data.inputShape, data.numClasses, seed + 1);
  return {
    handle: handleFromModel(model, spec, data.inputShape, data.numClasses, 'student'),
    owned: true,
  };
}

/** Runs one stage by id through its technique's stage. */
async function runStage(
  stages: StageLoader,
  stage: Stage,
  ctx: StageContext,
  input: ModelHandle,
): Promise<ModelHandle> {
  const technique = await stages(stage.technique);
  await mirrorWeights(input.model);
  const output = await technique.run(ctx, input, stage.params);
  await mirrorWeights(output.model);
  return output;
}

/**
 * Runs a variant's pipeline: source → stage₁ → … → stageₙ, reusing cached prefixes, then
 * measures the result. Returns the final handle (owned by the cache).
 */
export async function runVariant(
  variant: Variant,
  options: VariantRunOptions,
): Promise<ModelHandle> {
  const { stages, cache, control, onEvent } = options;
  const ctx: StageContext = {
    data: options.data,
    teacher: options.teacher,
    seed: options.seed,
    rng: createRng(options.seed * 31 + variant.id.length),
    control,
    onStep: (record) => options.onStep(variant.id, record),
    onProgress: (fraction, message) =>
      onEvent({ kind: 'progress', variantId: variant.id, fraction, message }),
  };
  let { handle, owned } = sourceHandle(variant, options);
  let reusedUpTo = 0;
  for (let n = variant.stages.length; n > 0; n--) {
    const cached = cache.get(prefixKey(options.teacherKey, variant, n));
    if (cached) {
      if (owned) disposeHandle(handle);
      handle = cached;
      owned = false;
      reusedUpTo = n;
      break;
    }
  }
  const labels: string[] = [];
  for (let i = 0; i < variant.stages.length; i++) {
    const stage = variant.stages[i]!;
    if (i < reusedUpTo) {
      onEvent({
        kind: 'stage',
        variantId: variant.id,
        stageIndex: i,
        status: 'reused',
        label: stage.technique,
      });
      continue;
    }
    onEvent({
      kind: 'stage',
      variantId: variant.id,
      stageIndex: i,
      status: 'running',
      label: stage.technique,
    });
    let next: ModelHandle;
    try {
      await control.checkpoint();
      next = await runStage(stages, stage, ctx, handle);
    } catch (error) {
      // A fresh student no stage has finished is in no cache yet: it is freed here.
      if (owned) disposeHandle(handle);
      throw error;
    }
    if (owned) disposeHandle(handle);
    handle = next;
    owned = false;
    cache.set(prefixKey(options.teacherKey, variant, i + 1), next);
    labels.push(next.label);
    onEvent({
      kind: 'stage',
      variantId: variant.id,
      stageIndex: i,
      status: 'done',
      label: next.label,
    });
  }
  if (owned) {
    // A source with no stages: keep it in the cache so it is disposed with it.
    cache.set(prefixKey(options.teacherKey, variant, 0), handle);
  }
  return handle;
}

/** Measures a finished variant and reports it. */
export async function measureVariant(
  variant: Variant,
  handle: ModelHandle,
  options: Pick<VariantRunOptions, 'data' | 'onEvent'> & {
    /** The teacher's row and its predict, timed beside the variant for the speedups. */
    reference?: TeacherReference;
  },
  pipeline: string,
): Promise<VariantMeasurement> {
  options.onEvent({ kind: 'measuring', variantId: variant.id });
  const { measurement, evaluation } = await measureHandle(
    handle,
    options.data,
    variant.name,
    pipeline,
    options.reference,
  );
  options.onEvent({
    kind: 'result',
    variantId: variant.id,
    measurement,
    predictions: evaluation.predictions,
  });
  return measurement;
}

/**
 * The trained teacher as it ships (its fastest correct path) with its row, to time beside each
 * variant; where it cannot run now, variants are timed alone against the row. dispose() it after
 * the run.
 */
export async function teacherReference(
  teacher: tf.LayersModel,
  architecture: ArchitectureSpec,
  data: Dataset,
  measurement: VariantMeasurement,
): Promise<{ reference: TeacherReference; dispose: () => void }> {
  const handle = handleFromModel(
    teacher,
    architecture,
    data.inputShape,
    data.numClasses,
    'teacher',
  );
  const shipped = await shippedPredictor(handle, data.inputShape).catch(() => null);
  return {
    reference: { measurement, predict: shipped?.predict },
    dispose: () => shipped?.dispose(),
  };
}

/** Human-readable pipeline, e.g. "teacher → prune → finetune". */
export function pipelineLabel(variant: Variant): string {
  return [variant.source, ...variant.stages.map((s) => s.technique)].join(' → ');
}

/** Disposes every cached handle except models the caller still owns (the teacher). */
export function clearCache(cache: Map<string, ModelHandle>, keep: tf.LayersModel | null): void {
  const seen = new Set<tf.LayersModel>();
  for (const handle of cache.values()) {
    if (handle.model !== keep && !seen.has(handle.model)) {
      seen.add(handle.model);
      disposeHandle(handle);
    }
  }
  cache.clear();
}
