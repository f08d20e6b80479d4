import type { ResultRow, VariantMeasurement } from './compare';
import { resultRow } from './compare';
import type { Experiment } from './schema';
import { expandVariants } from './expand';

/** The "Download results" JSON (documented in README): stable field names, version 1. */
export interface ResultsDocument {
  format: 'compression-playground-results';
  version: 1;
  generatedAt: string;
  backend: string;
  experiment: Experiment;
  /**
   * One row per variant, the teacher first; ratios relative to the teacher, and the accuracy
   * change against the variant's fp32 control where it has one.
   */
  variants: ResultRow[];
}

/**
 * Builds the results document from the measurements; the teacher's row is its own reference, and a
 * variant that trains is also compared with its fp32 control (expandVariants) once that is measured.
 */
export function buildResultsDocument(
  experiment: Experiment,
  backend: string,
  teacher: VariantMeasurement,
  variants: readonly VariantMeasurement[],
  generatedAt: Date = new Date(),
): ResultsDocument {
  const expanded = expandVariants(experiment);
  const nameOf = new Map(expanded.map((v) => [v.id, v.name]));
  const controlName = new Map(
    expanded.flatMap((v) => (v.controlId ? [[v.name, nameOf.get(v.controlId)] as const] : [])),
  );
  const byName = new Map(variants.map((v) => [v.variant, v]));
  const controlOf = (v: VariantMeasurement) => byName.get(controlName.get(v.variant) ?? '') ?? null;
  return {
    format: 'compression-playground-results',
    version: 1,
    generatedAt: generatedAt.toISOString(),
    backend,
    experiment,
    variants: [teacher, ...variants].map((v) => resultRow(v, teacher, controlOf(v))),
  };
}
