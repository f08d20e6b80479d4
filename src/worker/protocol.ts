// The contract between the page and the engine worker. Only plain data crosses it:
// numbers, strings, arrays and typed arrays, never tensors.
import type { BackendInfo } from '../engine/backends/select';
import type { DatasetPreview } from '../engine/data/preview';
import type { TeacherOutcome } from '../engine/session';
export type { VariantMeasurement } from '../engine/measure/compare';
import type { EpochRecord, StepRecord } from '../engine/train/loop';
import type { BackendName, DatasetSpec, Experiment } from '../experiment/schema';

export type { BackendName };

export type { BackendInfo, EpochRecord, StepRecord };

export type { DatasetPreview, ImagePreview, PointPreview } from '../engine/data/preview';

export interface DatasetInfo {
  id: string;
  trainCount: number;
  testCount: number;
  numClasses: number;
  classNames: string[];
  inputShape: number[];
  preview: DatasetPreview;
}

/** Progress of a training run, batched: at most about ten of these a second. */
export interface TrainUpdate {
  steps: StepRecord[];
  epochs: EpochRecord[];
}

export interface DataProgress {
  loadedBytes: number;
  totalBytes: number;
}

export type TeacherResult = TeacherOutcome;

/** What the worker exposes (through comlink). Callbacks are comlink proxies. */
export interface EngineApi {
  init(preference: 'auto' | BackendName): Promise<BackendInfo>;
  loadDataset(
    spec: DatasetSpec,
    seed: number,
    onProgress: (progress: DataProgress) => void,
  ): Promise<DatasetInfo>;
  trainTeacher(
    experiment: Experiment,
    onUpdate: (update: TrainUpdate) => void,
  ): Promise<TeacherResult>;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** Live tensors in the worker (for leak checks in tests and the bench). */
  memory(): { numTensors: number; numBytes: number };
}

/** Error names that cross the boundary and that the UI treats specially. */
export const CANCELLED_ERROR = 'RunCancelledError';
export const DIVERGED_ERROR = 'TrainingDivergedError';
