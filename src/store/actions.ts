// Plain functions that change the store and talk to the engine worker.
import type { BackendName, Experiment } from '../experiment/schema';
import { findPreset } from '../experiment/presets';
import { CANCELLED_ERROR, DIVERGED_ERROR } from '../worker/protocol';
import { readBackendChoice, writeBackendChoice } from './backend-cache';
import { callback, engineIfStarted, getEngine, restartEngine } from './engine-client';
import type { AppState, Notice } from './store';
import { useStore } from './store';
import { ENGINE_STOPPED_ERROR } from './watchdog';

const MAX_STEP_POINTS = 20_000;
let noticeId = 0;
let datasetRequest = 0;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Shows a message until dismissed (with a "Run again" button for action 'rerun'). */
export function notify(kind: 'info' | 'error', text: string, action?: Notice['action']): void {
  const notice: Notice = action
    ? { id: ++noticeId, kind, text, action }
    : { id: ++noticeId, kind, text };
  useStore.setState((s) => ({ notices: [...s.notices, notice] }));
}

/** The notices without the "Run again" offers (a new run answers them). */
export function withoutRerunOffers(notices: Notice[]): Notice[] {
  return notices.some((n) => n.action) ? notices.filter((n) => !n.action) : notices;
}

let restarting: Promise<void> | null = null;

/** Holds new runs until `restart` (a fresh engine after a crash, see recovery.ts) settles. */
export function holdRunsUntil(restart: Promise<void>): void {
  restarting = restart;
  const release = () => {
    if (restarting === restart) restarting = null;
  };
  restart.then(release, release);
}

/** The engine restart after a crash that is in progress, or null. */
export function engineRestart(): Promise<void> | null {
  return restarting;
}

export function dismissNotice(id: number): void {
  useStore.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

/** Starts the worker on the preferred backend, then loads the dataset. */
export async function startEngine(): Promise<void> {
  await activate(useStore.getState().experiment.backend);
  await loadDataset();
}

async function activate(preference: 'auto' | BackendName): Promise<void> {
  useStore.setState({
    backend: { status: 'starting', info: useStore.getState().backend.info, error: null },
  });
  try {
    const cached = preference === 'auto' ? readBackendChoice() : null;
    const info = await getEngine().init(preference, cached);
    const fastest = info.measured?.[0];
    if (fastest)
      writeBackendChoice({ backend: fastest.backend, samplesPerSec: fastest.samplesPerSec });
    const speed =
      fastest?.backend === info.active
        ? fastest.samplesPerSec
        : cached?.backend === info.active
          ? cached.samplesPerSec
          : null;
    useStore.setState({ backend: { status: 'ready', info, error: null }, measuredSpeed: speed });
    // In auto mode the fallback order is expected; what the user must know is what wasm lacks.
    const shown =
      preference === 'auto'
        ? info.notices.filter((n) => n.startsWith('WebAssembly') || n.includes('SIMD'))
        : info.notices;
    if (shown.length > 0) notify('info', `Backend: ${shown.join(' ')}`);
  } catch (error) {
    useStore.setState({ backend: { status: 'error', info: null, error: errorText(error) } });
  }
}

/** Switches the compute backend; the experiment remembers the choice. */
export async function chooseBackend(preference: 'auto' | BackendName): Promise<void> {
  if (isBusy())
    return notify('info', 'Wait for the run to finish (or cancel it) before switching backend.');
  updateExperiment((e) => ({ ...e, backend: preference }), false);
  // A fresh worker per backend; the trained teacher stays on screen but must be retrained
  // here (results on one backend do not carry to another).
  restartEngine();
  await activate(preference);
  await loadDataset();
}

/** Loads (or reuses) the dataset of the current experiment, with progress. */
export async function loadDataset(): Promise<void> {
  const { dataset, seed } = useStore.getState().experiment;
  const request = ++datasetRequest;
  useStore.setState((s) => ({
    dataset: { ...s.dataset, status: 'loading', progress: 0, error: null },
  }));
  try {
    const info = await getEngine().loadDataset(
      dataset,
      seed,
      callback(({ loadedBytes, totalBytes }) => {
        if (request !== datasetRequest) return;
        const progress = totalBytes > 0 ? loadedBytes / totalBytes : 0;
        useStore.setState((s) => ({ dataset: { ...s.dataset, progress } }));
      }),
    );
    if (request !== datasetRequest) return;
    useStore.setState({ dataset: { status: 'ready', progress: 1, info, error: null } });
  } catch (error) {
    if (request !== datasetRequest) return;
    useStore.setState((s) => ({
      dataset: { ...s.dataset, status: 'error', progress: 0, error: errorText(error) },
    }));
  }
}

export function isBusy(state: AppState = useStore.getState()): boolean {
  return state.run.status === 'running' || state.run.status === 'paused';
}

/**
 * Replaces the experiment. Results of the old configuration stay visible until a new run;
 * a changed dataset or seed reloads the data.
 */
export function updateExperiment(change: (e: Experiment) => Experiment, reload = true): void {
  const before = useStore.getState().experiment;
  const after = change(before);
  useStore.setState({ experiment: after });
  const dataChanged =
    JSON.stringify([before.dataset, before.seed]) !== JSON.stringify([after.dataset, after.seed]);
  if (reload && dataChanged) void loadDataset();
}

export function loadPreset(id: string): void {
  const preset = findPreset(id);
  if (!preset) return notify('error', `There is no preset called “${id}”.`);
  if (isBusy())
    return notify('info', 'Wait for the run to finish (or cancel it) before loading a preset.');
  replaceExperiment(preset.experiment, id);
}

/**
 * Swaps in another experiment (a preset's or a lesson's), forgetting the old one's results; the
 * worker frees the old models (GPU memory on GPU backends). The backend choice stays.
 */
export function replaceExperiment(experiment: Experiment, presetId: string, reload = true): void {
  useStore.setState({
    presetId,
    teacher: null,
    reported: null,
    results: [],
    variantRuns: {},
    curves: {},
    predictions: {},
    liveSource: 'teacher',
    run: { status: 'idle', steps: [], epochs: [], error: null },
  });
  engineIfStarted()
    ?.releaseModels()
    .catch(() => {});
  updateExperiment(
    () => ({ ...experiment, backend: useStore.getState().experiment.backend }),
    reload,
  );
}

/** Trains the teacher of the current experiment with live progress. */
export async function trainTeacher(): Promise<void> {
  const restart = engineRestart();
  if (restart) await restart;
  if (isBusy()) return;
  const { experiment } = useStore.getState();
  useStore.setState((s) => ({
    run: { status: 'running', kind: 'teacher', steps: [], epochs: [], error: null },
    liveSource: 'teacher',
    notices: withoutRerunOffers(s.notices),
  }));
  try {
    const result = await getEngine().trainTeacher(
      experiment,
      callback((update) => {
        useStore.setState((s) => {
          const steps = s.run.steps.concat(update.steps);
          return {
            run: {
              ...s.run,
              steps: steps.length > MAX_STEP_POINTS ? steps.slice(-MAX_STEP_POINTS) : steps,
              epochs: s.run.epochs.concat(update.epochs),
            },
          };
        });
      }),
    );
    useStore.setState((s) => ({
      teacher: result,
      results: [],
      variantRuns: {},
      run: { ...s.run, status: 'done' },
    }));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    if (name === CANCELLED_ERROR) {
      useStore.setState((s) => ({ run: { ...s.run, status: 'cancelled', error: null } }));
    } else if (name === ENGINE_STOPPED_ERROR) {
      useStore.setState((s) => ({
        run: { ...s.run, status: 'error', error: `Training stopped: ${errorText(error)}.` },
      }));
    } else {
      const prefix = name === DIVERGED_ERROR ? '' : 'Training failed: ';
      useStore.setState((s) => ({
        run: { ...s.run, status: 'error', error: prefix + errorText(error) },
      }));
    }
  }
}

export function pauseRun(): void {
  if (useStore.getState().run.status !== 'running') return;
  void getEngine().pause();
  useStore.setState((s) => ({ run: { ...s.run, status: 'paused' } }));
}

export function resumeRun(): void {
  if (useStore.getState().run.status !== 'paused') return;
  void getEngine().resume();
  useStore.setState((s) => ({ run: { ...s.run, status: 'running' } }));
}

export function cancelRun(): void {
  if (!isBusy()) return;
  void getEngine().cancel();
}

export function setTab(tab: AppState['tab']): void {
  useStore.setState({ tab });
}
