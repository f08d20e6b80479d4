import { techniqueOf } from '../../techniques/registry';
import type { TechniqueStage } from '../../techniques/technique';

/** Loads the worker half of a technique by id (the URL stores ids and params, never code). */
export type StageLoader = (technique: string) => Promise<TechniqueStage<unknown>>;

/** Every technique of the one list, each loaded from its spec. */
export const loadTechniqueStage: StageLoader = (technique) =>
  techniqueOf(technique).stage() as Promise<TechniqueStage<unknown>>;
