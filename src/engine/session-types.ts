// Plain data the engine session hands out: the trained teacher's outcome and what is stored.
import type { DatasetSpec } from '../experiment/schema';
import type { TeacherOutcome } from '../experiment/measurement';
import type { Dataset } from './data/types';

export type { TeacherOutcome };

/** What is kept beside stored teacher weights: their results, whose `key` says which experiment. */
export interface StoredTeacherMeta {
  outcome: TeacherOutcome;
}

/** Loads a dataset: the worker passes a loader that fetches files, tests one that makes data. */
export type DatasetLoader = (spec: DatasetSpec, seed: number) => Promise<Dataset>;
