import { create } from 'zustand';
import type { Experiment } from '../experiment/schema';
import { DEFAULT_PRESET } from '../experiment/presets';
import type {
  BackendInfo,
  DatasetInfo,
  EpochRecord,
  StepRecord,
  TeacherResult,
} from '../worker/protocol';

export type RunStatus = 'idle' | 'running' | 'paused' | 'done' | 'cancelled' | 'error';

export interface AppState {
  presetId: string;
  experiment: Experiment;
  backend: {
    status: 'starting' | 'ready' | 'error';
    info: BackendInfo | null;
    error: string | null;
  };
  /** Messages the user should see until dismissed (fallbacks, failed loads). */
  notices: { id: number; kind: 'info' | 'error'; text: string }[];
  dataset: {
    status: 'idle' | 'loading' | 'ready' | 'error';
    /** 0..1 while loading. */
    progress: number;
    info: DatasetInfo | null;
    error: string | null;
  };
  run: {
    status: RunStatus;
    steps: StepRecord[];
    epochs: EpochRecord[];
    error: string | null;
  };
  teacher: TeacherResult | null;
  /** Phone layout: which column is shown. */
  tab: 'experiment' | 'live' | 'results';
}

export const useStore = create<AppState>(() => ({
  presetId: DEFAULT_PRESET.id,
  experiment: DEFAULT_PRESET.experiment,
  backend: { status: 'starting', info: null, error: null },
  notices: [],
  dataset: { status: 'idle', progress: 0, info: null, error: null },
  run: { status: 'idle', steps: [], epochs: [], error: null },
  teacher: null,
  tab: 'experiment',
}));
