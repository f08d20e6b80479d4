/**
 * Work the session does on its trained teacher or last run outside runAll: the sensitivity
 * scans (pruning, quantization) under a cancellable control, and the quantization analyzer.
 */
import { teacherKey } from '../experiment/measurement';
import type { Experiment } from '../experiment/schema';
import type { QuantAnalysis } from '../techniques/quantize/stage/analyzer';
import { analyzeQuantization } from '../techniques/quantize/stage/analyzer';
import { handleFromModel } from './network/handle';
import type { ModelHandle, StageContext } from './network/stage-types';
import { createRng } from './rng';
import type { EngineSession } from './session';
import { RunControl } from './train/control';

type ScanState = Pick<EngineSession, 'teacher' | 'dataset' | 'teacherKey' | 'control'>;

/** Runs `scan` on the trained teacher under a cancellable control (one run at a time). */
export async function scanTeacherOf<T>(
  state: ScanState,
  experiment: Experiment,
  onProgress: (fraction: number, message: string) => void,
  scan: (ctx: StageContext, handle: ModelHandle) => Promise<T>,
): Promise<T> {
  const teacher = state.teacher;
  const data = state.dataset;
  if (!teacher || !data) throw new Error('Train the teacher first.');
  if (state.teacherKey !== teacherKey(experiment)) {
    throw new Error('The teacher was trained for other settings: run it again first.');
  }
  if (state.control) throw new Error('A run is already in progress: wait for it or cancel it.');
  const control = new RunControl();
  state.control = control;
  const handle = handleFromModel(
    teacher,
    experiment.teacher.architecture,
    data.inputShape,
    data.numClasses,
    'teacher',
  );
  const ctx: StageContext = {
    data,
    teacher,
    seed: experiment.seed,
    rng: createRng(experiment.seed),
    control,
    onStep: () => {},
    onProgress,
  };
  try {
    return await scan(ctx, handle);
  } finally {
    state.control = null;
  }
}

/** Weights-only / activations-only / per-layer analysis of a quantized variant of the last run. */
export async function analyzeOf(
  state: Pick<EngineSession, 'dataset' | 'control' | 'variantHandles'>,
  source: string,
): Promise<QuantAnalysis> {
  if (!state.dataset) throw new Error('Train the teacher first.');
  if (state.control) throw new Error('A run is in progress: analyze when it is over.');
  const entry = state.variantHandles.get(source);
  if (!entry) throw new Error(`No results for variant “${source}” yet: run it first.`);
  const { validation, inputShape } = state.dataset;
  return analyzeQuantization(source, entry.handle, validation, inputShape);
}
