import type { ResultRow, VariantMeasurement } from './compare';
import { resultRow } from './compare';
import type { Experiment } from './schema';

/** The "Download results" JSON (documented in README): stable field names, version 1. */
export interface ResultsDocument {
  format: 'compression-playground-results';
  version: 1;
  generatedAt: string;
  backend: string;
  experiment: Experiment;
  /** One row per variant, the teacher first; ratios relative to the teacher. */
  variants: ResultRow[];
}

/** Builds the results document from the measurements; the teacher's row is its own reference. */
export function buildResultsDocument(
  experiment: Experiment,
  backend: string,
  teacher: VariantMeasurement,
  variants: readonly VariantMeasurement[],
  generatedAt: Date = new Date(),
): ResultsDocument {
  return {
    format: 'compression-playground-results',
    version: 1,
    generatedAt: generatedAt.toISOString(),
    backend,
    experiment,
    variants: [teacher, ...variants].map((v) => resultRow(v, teacher)),
  };
}
