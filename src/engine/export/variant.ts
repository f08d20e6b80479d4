import type { Variant } from '../../experiment/stages';

/** Whether a variant ships ≤ 8-bit weights (a ptq or qat stage with weightBits ≤ 8). */
export function shipsUint8(variant: Variant): boolean {
  return variant.stages.some(
    (s) => (s.technique === 'ptq' || s.technique === 'qat') && s.params.weightBits <= 8,
  );
}

/** What identifies a teacher's experiment (dataset, seed, teacher spec), without the backend. */
export function teacherSpecKey(experiment: {
  dataset: unknown;
  seed: number;
  teacher: unknown;
}): string {
  return JSON.stringify([experiment.dataset, experiment.seed, experiment.teacher]);
}
