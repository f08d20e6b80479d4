// Plain data the engine session hands out: the trained teacher's outcome and what is stored.
import type { BackendName, DatasetSpec } from '../experiment/schema';
import type { Dataset } from './data/types';
import type { VariantMeasurement } from './measure/compare';
import type { EpochRecord } from './train/loop';

/** What is kept beside stored teacher weights: which experiment they belong to, and results. */
export interface StoredTeacherMeta {
  /** teacherSpecKey(experiment): dataset, seed and teacher spec (not the backend). */
  specKey: string;
  outcome: TeacherOutcome;
}

export interface TeacherOutcome {
  accuracy: number;
  confusion: number[];
  numClasses: number;
  params: number;
  steps: number;
  elapsedMs: number;
  samplesPerSec: number;
  backend: BackendName;
  epochs: EpochRecord[];
  /** Measured the same way as every variant: accuracy, bytes, MACs, latency. */
  measurement: VariantMeasurement;
}

/** Loads a dataset: the worker passes a loader that fetches files, tests one that makes data. */
export type DatasetLoader = (spec: DatasetSpec, seed: number) => Promise<Dataset>;
