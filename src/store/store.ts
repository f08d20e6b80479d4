import { create } from 'zustand';
import type { ReportedResults } from '../experiment/link';
import type { Experiment } from '../experiment/schema';
import { DEFAULT_PRESET } from '../experiment/presets';
import type {
  BackendInfo,
  DatasetInfo,
  EpochRecord,
  StepRecord,
  TeacherResult,
  VariantMeasurement,
} from '../worker/protocol';

export interface VariantRunState {
  status: 'queued' | 'running' | 'measuring' | 'done' | 'error';
  /** Index of the stage running now (or last run). */
  stageIndex: number;
  /** Stages whose output came from the cache. */
  reused: number[];
  fraction: number;
  message: string;
  error: string | null;
  /** Last optimizer step the running stage reported (0-based within the stage); null before it. */
  stageStep: { step: number; totalSteps: number } | null;
}

/** A message under the top bar; `action` 'rerun' adds a button that runs the last run again. */
export interface Notice {
  id: number;
  kind: 'info' | 'error';
  text: string;
  action?: 'rerun';
}

export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

export interface AppState {
  presetId: string;
  experiment: Experiment;
  backend: {
    status: 'starting' | 'ready' | 'error';
    info: BackendInfo | null;
    error: string | null;
  };
  /** Training samples/s the backend micro-benchmark measured on this device (auto mode). */
  measuredSpeed: number | null;
  /** Messages the user should see until dismissed (fallbacks, failed loads). */
  notices: Notice[];
  dataset: {
    status: 'idle' | 'loading' | 'ready' | 'error';
    /** 0..1 while loading. */
    progress: number;
    info: DatasetInfo | null;
    error: string | null;
  };
  run: {
    status: RunStatus;
    /** What the run does: the whole experiment ('all', the default) or the teacher alone. */
    kind?: 'all' | 'teacher';
    steps: StepRecord[];
    epochs: EpochRecord[];
    error: string | null;
  };
  teacher: TeacherResult | null;
  /** Which source the live chart shows: 'teacher' or a variant id. */
  liveSource: string;
  /** Training curves of every source of the last run (loss and accuracy per step). */
  curves: Record<string, { step: number; loss: number; accuracy: number }[]>;
  variantRuns: Record<string, VariantRunState>;
  /** Measured variants of the last run, in run order (the teacher's row is teacher.measurement). */
  results: VariantMeasurement[];
  /** Results that came with a shared link, labelled as reported by the sharer. */
  reported: ReportedResults | null;
  /** Test-set predictions per variant, for disagreement views. */
  predictions: Record<string, Uint8Array>;
  /** Phone layout: which column is shown. */
  tab: 'experiment' | 'live' | 'results';
}

export const useStore = create<AppState>(() => ({
  presetId: DEFAULT_PRESET.id,
  experiment: DEFAULT_PRESET.experiment,
  backend: { status: 'starting', info: null, error: null },
  measuredSpeed: null,
  notices: [],
  dataset: { status: 'idle', progress: 0, info: null, error: null },
  run: { status: 'idle', steps: [], epochs: [], error: null },
  teacher: null,
  liveSource: 'teacher',
  curves: {},
  variantRuns: {},
  results: [],
  predictions: {},
  reported: null,
  tab: 'experiment',
}));
