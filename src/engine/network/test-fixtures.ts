import type * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '../../experiment/schema';
import type { PruneParams } from '../../techniques/prune/spec';
import type { DataSplit, Dataset } from '../data/types';
import { buildModel } from './build';
import { createRng, gaussian } from '../rng';
import { RunControl } from '../train/control';
import type { StepRecord } from '../train/loop';
import { trainModel } from '../train/loop';
import { handleFromModel } from './handle';
import type { ModelHandle, StageContext } from './stage-types';
import type { RunEvent } from '../pipeline/runner';
import type { TeacherOutcome, VariantMeasurement } from '../../experiment/measurement';

/** Tiny data sets, teachers and contexts shared by the prune tests (test support only). */

const CENTRES: [number, number][] = [
  [-1, 0],
  [1, 0],
  [0, 1.2],
];

function blobSplit(count: number, seed: number): DataSplit {
  const rng = createRng(seed);
  const x = new Float32Array(count * 2);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 3;
    const [cx, cy] = CENTRES[label]!;
    x[2 * i] = cx + 0.3 * gaussian(rng);
    x[2 * i + 1] = cy + 0.3 * gaussian(rng);
    y[i] = label;
  }
  return { x, y, count };
}

/** Three 2-D Gaussian blobs (σ 0.3) around (−1, 0), (1, 0), (0, 1.2). */
export function blobs(train = 192, test = 96, seed = 1): Dataset {
  return {
    id: 'blobs',
    inputShape: [2],
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    train: blobSplit(train, seed),
    validation: blobSplit(Math.max(1, Math.round(train / 4)), seed + 200),
    test: blobSplit(test, seed + 100),
  };
}

function barSplit(count: number, seed: number): DataSplit {
  const rng = createRng(seed);
  const x = new Float32Array(count * 64);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const at = 1 + Math.floor(rng() * 6);
    for (let r = 0; r < 8; r++)
      for (let c = 0; c < 8; c++) {
        const on = label === 0 ? c === at : r === at;
        x[i * 64 + r * 8 + c] = Math.min(1, Math.max(0, (on ? 0.9 : 0.1) + 0.1 * gaussian(rng)));
      }
    y[i] = label;
  }
  return { x, y, count };
}

/** 8×8 grey images: class 0 a vertical bar, class 1 a horizontal bar, with noise. */
export function bars(train = 96, test = 48, seed = 2): Dataset {
  return {
    id: 'bars',
    inputShape: [8, 8, 1],
    numClasses: 2,
    classNames: ['vertical', 'horizontal'],
    train: barSplit(train, seed),
    validation: barSplit(Math.max(2, Math.round(train / 4)), seed + 200),
    test: barSplit(test, seed + 100),
  };
}

export const MLP: ArchitectureSpec = { kind: 'mlp', hidden: [16, 8], activation: 'relu' };
export const CNN: ArchitectureSpec = {
  kind: 'cnn',
  convs: [{ filters: 4, kernel: 3 }],
  dense: [8],
  activation: 'relu',
};

/** A teacher of `spec` trained a few epochs with Adam, as a handle. */
export async function trainedTeacher(
  spec: ArchitectureSpec,
  data: Dataset,
  epochs = 5,
): Promise<ModelHandle> {
  const model = buildModel(spec, data.inputShape, data.numClasses, 3);
  await trainModel({
    model,
    data,
    training: { optimizer: 'adam', learningRate: 0.02, momentum: 0.9, batchSize: 32, epochs },
    seed: 3,
    evaluateEachEpoch: false,
  });
  return handleFromModel(model, spec, data.inputShape, data.numClasses, 'teacher');
}

/** A stage context that records steps and progress. */
export function testContext(
  data: Dataset,
  teacher: tf.LayersModel,
): StageContext & { steps: StepRecord[]; progress: [number, string][] } {
  const steps: StepRecord[] = [];
  const progress: [number, string][] = [];
  return {
    data,
    teacher,
    seed: 5,
    rng: createRng(5),
    control: new RunControl(),
    onStep: (r) => steps.push(r),
    onProgress: (f, m) => progress.push([f, m]),
    steps,
    progress,
  };
}

/** Default prune params with overrides (as the zod schema would fill them). */
export function pruneParamsWith(overrides: Partial<PruneParams>): PruneParams {
  return {
    kind: 'magnitude',
    scope: 'layer',
    sparsity: 0.5,
    criterion: 'l1',
    n: 2,
    m: 4,
    schedule: 'one-shot',
    rounds: 3,
    finetuneEpochs: 1,
    learningRate: 0.001,
    ...overrides,
  };
}

/** Copies of every weight of a model (to check it is unchanged). */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

/** The teacher and variant rows carried by a run's events (what the store shows), in order. */
export function resultsFrom(events: readonly RunEvent[]): {
  teacher: TeacherOutcome | null;
  variants: VariantMeasurement[];
} {
  let teacher: TeacherOutcome | null = null;
  const variants: VariantMeasurement[] = [];
  for (const e of events) {
    if (e.kind === 'teacher') teacher = e.teacher;
    if (e.kind === 'result') variants.push(e.measurement);
  }
  return { teacher, variants };
}
