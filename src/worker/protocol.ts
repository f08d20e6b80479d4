// The contract between the page and the engine worker. Only plain data crosses it:
// numbers, strings, arrays and typed arrays, never tensors.
import type { BackendInfo } from '../engine/backends/select';
import type { DatasetPreview } from '../engine/data/preview';
import type { StoredTeacherMeta, TeacherOutcome, TestSamples } from '../engine/session';
import type { ExportedModel } from '../engine/export/artifacts';
export type { ExportedModel, StoredTeacherMeta, TestSamples };
export type { VariantMeasurement } from '../experiment/compare';
import type { EpochRecord, StepRecord } from '../engine/train/loop';
import type { BackendName, DatasetSpec, Experiment } from '../experiment/schema';
import type { LifelineApi } from './lifeline';

export type { BackendName };
export type { Inspection } from '../engine/inspect';
import type { Inspection } from '../engine/inspect';
export type TemperatureData = Awaited<ReturnType<typeof exploreTemperature>>;
import type { exploreTemperature } from '../engine/inspect';

export type { BackendInfo, EpochRecord, StepRecord };
export type { MeasuredChoice } from '../engine/backends/select';
import type { MeasuredChoice } from '../engine/backends/select';
export type { RunEvent } from '../engine/pipeline/runner';
import type { RunEvent } from '../engine/pipeline/runner';

export type { DatasetPreview, ImagePreview, PointPreview } from '../engine/data/preview';

export interface DatasetInfo {
  id: string;
  /** Examples trained on (the validation split is held out of the experiment's train size). */
  trainCount: number;
  validationCount: number;
  testCount: number;
  numClasses: number;
  classNames: string[];
  inputShape: number[];
  preview: DatasetPreview;
}

/** Progress of a run, batched: at most about ten of these a second. */
export interface TrainUpdate {
  /** Whose training steps these are: 'teacher' or a variant id. */
  source: string;
  steps: StepRecord[];
  epochs: EpochRecord[];
  events: RunEvent[];
}

export interface DataProgress {
  loadedBytes: number;
  totalBytes: number;
}

export type TeacherResult = TeacherOutcome;

/** What the worker exposes (through comlink). Callbacks are comlink proxies. */
export interface EngineApi extends LifelineApi {
  /** Starts a backend; 'auto' measures candidates unless given this device's earlier choice. */
  init(preference: 'auto' | BackendName, cached?: MeasuredChoice | null): Promise<BackendInfo>;
  loadDataset(
    spec: DatasetSpec,
    seed: number,
    onProgress: (progress: DataProgress) => void,
  ): Promise<DatasetInfo>;
  trainTeacher(
    experiment: Experiment,
    onUpdate: (update: TrainUpdate) => void,
  ): Promise<TeacherResult>;
  /**
   * Teacher (unless already trained identically), then every variant, each measured. Results
   * arrive only through `onUpdate`'s events: `teacher` first, then a `result` per variant.
   */
  runAll(experiment: Experiment, onUpdate: (update: TrainUpdate) => void): Promise<void>;
  /** Technique views' data for 'teacher' or a variant id of the last run. */
  inspect(source: string, experiment: Experiment, layerName?: string): Promise<Inspection>;
  /** Temperature explorer for test example `index`, with a variant's model when given. */
  temperature(index: number, variantId: string | null): Promise<TemperatureData>;
  pause(): void;
  resume(): void;
  cancel(): void;
  /** Saves the trained teacher in IndexedDB; returns what to keep beside it (null if none). */
  saveTeacher(experiment: Experiment): Promise<StoredTeacherMeta | null>;
  /** Reuses the teacher saved in IndexedDB when it belongs to `experiment`. */
  loadTeacher(experiment: Experiment, meta: StoredTeacherMeta): Promise<boolean>;
  /** The teacher's topology and float32 weights, for the experiment file. */
  exportTeacher(): Promise<ExportedModel>;
  /** The trained teacher as safetensors (tfjs layout), read by the exported PyTorch script. */
  exportTeacherSafetensors(): Promise<Uint8Array>;
  /** The teacher or a variant as ONNX (QDQ for integer variants), with notes. */
  exportOnnx(source: string): Promise<{ bytes: Uint8Array; notes: string[] }>;
  /** Why a model cannot be exported as ONNX, or null. */
  onnxReason(source: string): Promise<string | null>;
  /** Adopts a teacher from an experiment file, with its results, so runAll skips training. */
  importTeacher(
    artifacts: ExportedModel,
    experiment: Experiment,
    outcome: TeacherResult,
  ): Promise<void>;
  /** 'teacher' or a variant id as artifacts stock tfjs loads (uint8 weights for int8 variants). */
  exportModel(source: string): Promise<ExportedModel>;
  /** Up to 64 test examples (images or 2-D points) with their true labels. */
  testSamples(indices: number[]): TestSamples;
  /** The teacher's predicted class of every test example (cached per teacher). */
  teacherPredictions(): Promise<Uint8Array>;
  /** True class of every test example. */
  testLabels(): Uint8Array;
  /**
   * Sensitivity scan of the trained teacher (each layer pruned alone over `sparsities`, default
   * 0.1 … 0.9); cancel() stops it. Throws 'Train the teacher first.' without a teacher.
   */
  sensitivity(
    experiment: Experiment,
    sparsities: number[] | undefined,
    onProgress: (fraction: number, message: string) => void,
  ): Promise<SensitivityTable>;
  /**
   * Quantization sensitivity scan of the trained teacher (each layer alone at each of `bits`,
   * default 8, 6, 4, 3, 2; weights only): drops and bytes for mixed precision; cancel() stops it.
   */
  quantSensitivity(
    experiment: Experiment,
    bits: number[] | undefined,
    onProgress: (fraction: number, message: string) => void,
  ): Promise<QuantSensitivityTable>;
  /**
   * The quantization analyzer of a static PTQ / QAT variant of the last run (weights vs
   * activations, each layer's quantizers off, per-layer output error, activation ranges).
   */
  analyzeQuantization(source: string): Promise<QuantAnalysis>;
  /** Frees the trained teacher and the variant models (not the data); refused during a run. */
  releaseModels(): void;
  /** Live tensors in the worker (for leak checks in tests and the bench). */
  memory(): { numTensors: number; numBytes: number };
}

export type { SensitivityTable } from '../techniques/prune/stage/report';
import type { SensitivityTable } from '../techniques/prune/stage/report';
export type { QuantSensitivityTable } from '../techniques/quantize/stage/sensitivity';
export type { QuantAnalysis } from '../techniques/quantize/stage/analyzer';
import type { QuantAnalysis } from '../techniques/quantize/stage/analyzer';
import type { QuantSensitivityTable } from '../techniques/quantize/stage/sensitivity';

/** Error names that cross the boundary and that the UI treats specially. */
export const CANCELLED_ERROR = 'RunCancelledError';
export const DIVERGED_ERROR = 'TrainingDivergedError';
