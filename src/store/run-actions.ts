// Running the whole experiment: the teacher, then every variant, with live progress.
import { expandVariants } from '../experiment/expand';
import type { RunEvent, TrainUpdate } from '../worker/protocol';
import { CANCELLED_ERROR, DIVERGED_ERROR } from '../worker/protocol';
import { chooseBackend, engineRestart, isBusy, notify, withoutRerunOffers } from './actions';
import { callback, getEngine } from './engine-client';
import { keptAfterCrash, runResultsOf } from './kept-results';
import type { AppState, VariantRunState } from './store';
import { useStore } from './store';
import { ENGINE_STOPPED_ERROR } from './watchdog';

const MAX_STEP_POINTS = 20_000;
const MAX_CURVE_POINTS = 2_000;

function applyEvent(state: AppState, event: RunEvent): Partial<AppState> {
  // The results table fills in while the variants run: the teacher's row comes first.
  if (event.kind === 'teacher') return { teacher: event.teacher };
  const runs = { ...state.variantRuns };
  const current: VariantRunState = runs[event.variantId] ?? {
    status: 'queued',
    stageIndex: 0,
    reused: [],
    fraction: 0,
    message: '',
    error: null,
    stageStep: null,
  };
  switch (event.kind) {
    case 'stage':
      runs[event.variantId] = {
        ...current,
        status: 'running',
        stageIndex: event.stageIndex,
        reused: event.status === 'reused' ? [...current.reused, event.stageIndex] : current.reused,
        message: event.status === 'reused' ? 'reused from the last run' : event.label,
        // A new stage counts its steps from 0; 'done' keeps the finished stage's last step.
        stageStep: event.status === 'done' ? current.stageStep : null,
      };
      return { variantRuns: runs };
    case 'progress':
      runs[event.variantId] = { ...current, fraction: event.fraction, message: event.message };
      return { variantRuns: runs };
    case 'measuring':
      runs[event.variantId] = {
        ...current,
        status: 'measuring',
        message: 'measuring accuracy, size, latency',
      };
      return { variantRuns: runs };
    case 'result':
      runs[event.variantId] = { ...current, status: 'done', message: '' };
      return {
        variantRuns: runs,
        results: [
          ...state.results.filter((r) => r.variant !== event.measurement.variant),
          event.measurement,
        ],
        predictions: { ...state.predictions, [event.variantId]: event.predictions },
      };
    case 'error':
      runs[event.variantId] = { ...current, status: 'error', error: event.message };
      return { variantRuns: runs };
  }
}

/**
 * Records the last step of `update` as its variant's stage step. The worker flushes on every
 * stage event, so an update's steps belong to the stage that was running when its events came.
 */
function withStageStep(
  runs: Record<string, VariantRunState>,
  update: TrainUpdate,
): Record<string, VariantRunState> {
  const run = runs[update.source];
  const last = update.steps[update.steps.length - 1];
  if (!run || !last) return runs;
  return {
    ...runs,
    [update.source]: { ...run, stageStep: { step: last.step, totalSteps: last.totalSteps } },
  };
}

function applyUpdate(update: TrainUpdate): void {
  useStore.setState((s) => {
    let next: Partial<AppState> = {};
    for (const event of update.events) next = { ...next, ...applyEvent({ ...s, ...next }, event) };
    if (update.steps.length > 0) {
      const sameSource = s.liveSource === update.source;
      const steps = (sameSource ? s.run.steps : []).concat(update.steps);
      const curve = (s.curves[update.source] ?? []).concat(
        update.steps.map((r) => ({ step: r.step, loss: r.loss, accuracy: r.accuracy })),
      );
      next = {
        ...next,
        variantRuns: withStageStep(next.variantRuns ?? s.variantRuns, update),
        liveSource: update.source,
        curves: { ...s.curves, [update.source]: curve.slice(-MAX_CURVE_POINTS) },
        run: {
          ...s.run,
          steps: steps.length > MAX_STEP_POINTS ? steps.slice(-MAX_STEP_POINTS) : steps,
          epochs: sameSource ? s.run.epochs.concat(update.epochs) : update.epochs,
        },
      };
    } else if (update.epochs.length > 0) {
      next = { ...next, run: { ...s.run, epochs: s.run.epochs.concat(update.epochs) } };
    }
    return next;
  });
}

/**
 * A compute failure on a fast backend (a wasm kernel, a lost GPU device) is not the user's
 * fault: switch to the cpu backend, which has every kernel, and say so. Settings stay.
 */
async function fallBackFromFailedBackend(name: string, message: string): Promise<void> {
  const active = useStore.getState().backend.info?.active;
  // A cancel, a divergence, a refused stage, a failed download or a worker that died (the
  // recovery restarts it on the same backend) is not the backend's fault.
  const notBackend = [
    CANCELLED_ERROR,
    DIVERGED_ERROR,
    'StageError',
    'DatasetFileError',
    ENGINE_STOPPED_ERROR,
  ];
  if (notBackend.includes(name)) return;
  if (!active || active === 'cpu') return;
  notify(
    'error',
    `The ${active} backend failed (${message}). Switched to the cpu backend: press “Run all” to try again.`,
  );
  await chooseBackend('cpu');
}

/** Runs the teacher (unless already trained the same way) and every variant. */
export async function runAll(): Promise<void> {
  // After a crash, the fresh engine (and the teacher it takes back) comes first.
  const restart = engineRestart();
  if (restart) await restart;
  if (isBusy()) return;
  const { experiment } = useStore.getState();
  const before = runResultsOf(useStore.getState());
  const queued: Record<string, VariantRunState> = {};
  for (const v of expandVariants(experiment)) {
    queued[v.id] = {
      status: 'queued',
      stageIndex: 0,
      reused: [],
      fraction: 0,
      message: '',
      error: null,
      stageStep: null,
    };
  }
  useStore.setState((s) => ({
    run: { status: 'running', kind: 'all', steps: [], epochs: [], error: null },
    liveSource: 'teacher',
    curves: {},
    variantRuns: queued,
    results: [],
    predictions: {},
    notices: withoutRerunOffers(s.notices),
  }));
  try {
    // Results reach the store only as run events (applyUpdate), never from the return value.
    await getEngine().runAll(experiment, callback(applyUpdate));
    useStore.setState((s) => ({ run: { ...s.run, status: 'done' } }));
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const message = error instanceof Error ? error.message : String(error);
    if (name === ENGINE_STOPPED_ERROR) {
      // What was on screen before the run stays, with what the run finished before it stopped.
      useStore.setState((s) => ({
        ...keptAfterCrash(before, s),
        run: {
          ...s.run,
          status: 'error',
          error: `The run stopped: ${message}. The results shown are kept.`,
        },
      }));
      return;
    }
    useStore.setState((s) => ({
      run: {
        ...s.run,
        status: name === CANCELLED_ERROR ? 'cancelled' : 'error',
        error:
          name === CANCELLED_ERROR
            ? null
            : (name === DIVERGED_ERROR ? '' : 'The run failed: ') + message,
      },
    }));
    await fallBackFromFailedBackend(name, message);
  }
}
