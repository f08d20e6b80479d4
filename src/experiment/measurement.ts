/**
 * The one schema of a measurement: what a variant's row holds (accuracy, bytes, MACs, latency,
 * the note on the path that ran) and what a trained teacher's outcome holds. The TypeScript types
 * are inferred from it, and the experiment file, the IndexedDB record and the link's reported rows
 * are all validated by it.
 */
import { z } from 'zod';
import { BACKENDS } from './schema';

const fraction = z.number().min(0).max(1);
const count = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
const bytes = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);
/** Milliseconds of a latency figure, or null when it was not measured. */
const latency = z.number().min(0).max(1e7).nullable();

export const measurementSchema = z.object({
  /** Display name of the variant, e.g. `int8 PTQ`. */
  variant: z.string().max(200),
  /** Its pipeline as text, e.g. `teacher → prune 50% → qat w4a8`. */
  pipeline: z.string().max(2000),
  /** Top-1 accuracy on the test split, 0..1. */
  accuracy: fraction,
  /** Exact bytes of the shipped artifact. */
  sizeBytes: bytes,
  /** Gzip bytes of that artifact, when measured. */
  gzipBytes: bytes.nullable(),
  params: count,
  /** MACs for one example. */
  macs: z.number().min(0),
  /** MACs for one example, skipping zeroed weights. */
  effectiveMacs: z.number().min(0),
  latencyB1MedianMs: latency,
  latencyB1P90Ms: latency,
  latencyB32MedianMs: latency,
  latencyB32P90Ms: latency,
  /**
   * The teacher's medians timed in alternation with this variant (same moments of the machine),
   * the reference of its speedups; absent on the teacher's own row and on older records.
   */
  pairedTeacherB1MedianMs: latency.optional(),
  pairedTeacherB32MedianMs: latency.optional(),
  /** Plain-language caveat and the path that was timed, e.g. `Timed on: wasm int8 engine`. */
  note: z.string().max(4000),
});
export type VariantMeasurement = z.infer<typeof measurementSchema>;

export const epochRecordSchema = z.object({ epoch: count, testAccuracy: fraction });
export type EpochRecord = z.infer<typeof epochRecordSchema>;

export const teacherOutcomeSchema = z.object({
  /** teacherKey(experiment): which experiment this teacher was trained for (its identity). */
  key: z.string().default(''),
  accuracy: fraction,
  /** Row-major numClasses × numClasses counts, true class by predicted class. */
  confusion: z.array(z.number().min(0)),
  numClasses: count,
  params: count,
  steps: count,
  elapsedMs: z.number().min(0),
  samplesPerSec: z.number().min(0),
  backend: z.enum(BACKENDS),
  epochs: z.array(epochRecordSchema),
  /** Measured the same way as every variant: accuracy, bytes, MACs, latency. */
  measurement: measurementSchema,
});
export type TeacherOutcome = z.infer<typeof teacherOutcomeSchema>;

/** The measurement in `raw` (unknown fields dropped), or null when it is not one. */
export function parseMeasurement(raw: unknown): VariantMeasurement | null {
  const parsed = measurementSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The teacher outcome in `raw` (an older one without a key gets key ''), or null. */
export function parseTeacherOutcome(raw: unknown): TeacherOutcome | null {
  const parsed = teacherOutcomeSchema.safeParse(raw);
  return parsed.success ? parsed.data : null;
}

/** The identity of a trained teacher: JSON of [dataset, seed, teacher spec] it was trained with. */
export function teacherKey(experiment: {
  dataset: unknown;
  seed: number;
  teacher: unknown;
}): string {
  return JSON.stringify([experiment.dataset, experiment.seed, experiment.teacher]);
}
