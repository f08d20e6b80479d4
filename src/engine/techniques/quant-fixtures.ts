/** Tiny data sets, teachers, contexts and params shared by the quantization tests (test support). */
import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '../../experiment/schema';
import type { PtqParams, QatParams } from '../../experiment/stages';
import type { DataSplit, Dataset } from '../data/types';
import { buildModel } from '../models/build';
import { createRng, gaussian } from '../rng';
import { RunControl } from '../train/control';
import type { StepRecord } from '../train/loop';
import { trainModel } from '../train/loop';
import { handleFromModel } from './handle';
import type { ModelHandle, StageContext } from './types';

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
    const [cx, cy] = CENTRES[i % 3]!;
    x[2 * i] = cx + 0.3 * gaussian(rng);
    x[2 * i + 1] = cy + 0.3 * gaussian(rng);
    y[i] = i % 3;
  }
  return { x, y, count };
}

/** Three 2-D Gaussian blobs (σ 0.3) around (−1, 0), (1, 0), (0, 1.2). */
export function blobs(train = 192, test = 96): Dataset {
  return {
    id: 'blobs',
    inputShape: [2],
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    train: blobSplit(train, 1),
    test: blobSplit(test, 101),
  };
}

function barSplit(count: number, seed: number): DataSplit {
  const rng = createRng(seed);
  const x = new Float32Array(count * 64);
  const y = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 2;
    const at = 1 + Math.floor(rng() * 6);
    for (let r = 0; r < 8; r++) {
      for (let c = 0; c < 8; c++) {
        const on = label === 0 ? c === at : r === at;
        x[i * 64 + r * 8 + c] = Math.min(1, Math.max(0, (on ? 0.9 : 0.1) + 0.1 * gaussian(rng)));
      }
    }
    y[i] = label;
  }
  return { x, y, count };
}

/** 8×8 grey images: class 0 a vertical bar, class 1 a horizontal bar, with noise. */
export function bars(train = 96, test = 48): Dataset {
  return {
    id: 'bars',
    inputShape: [8, 8, 1],
    numClasses: 2,
    classNames: ['vertical', 'horizontal'],
    train: barSplit(train, 2),
    test: barSplit(test, 102),
  };
}

export const MLP: ArchitectureSpec = { kind: 'mlp', hidden: [16, 8], activation: 'relu' };
export const CNN: ArchitectureSpec = {
  kind: 'cnn',
  convs: [{ filters: 4, kernel: 3 }],
  dense: [8],
  activation: 'relu',
};

/** A teacher of `spec` trained a few epochs with Adam (lr 0.02), as a handle. */
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

/** PTQ params as the zod schema fills them, with overrides. */
export function ptqParamsWith(overrides: Partial<PtqParams>): PtqParams {
  return {
    mode: 'static',
    weightBits: 8,
    activationBits: 8,
    scheme: 'symmetric',
    granularity: 'per-channel',
    powerOfTwo: false,
    observer: 'minmax',
    emaMomentum: 0.9,
    percentile: 99.99,
    calibrationSize: 64,
    ...overrides,
  };
}

/** QAT params as the zod schema fills them, with overrides. */
export function qatParamsWith(overrides: Partial<QatParams>): QatParams {
  return {
    weightBits: 8,
    activationBits: 8,
    scheme: 'symmetric',
    granularity: 'per-channel',
    learnedScale: false,
    fromScratch: false,
    epochs: 2,
    learningRate: 0.005,
    ...overrides,
  };
}

/** Copies of every weight of a model (to check it is unchanged). */
export function weightValues(model: tf.LayersModel): Float32Array[] {
  return model.getWeights().map((w) => Float32Array.from(w.dataSync()));
}

/** Top-1 accuracy (0..1) of a predictor on a split, computed directly. */
export function accuracyOf(predict: (x: tf.Tensor) => tf.Tensor, data: Dataset): number {
  return tf.tidy(() => {
    const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
    const picks = tf.argMax(predict(x), -1).dataSync();
    let correct = 0;
    picks.forEach((p, i) => {
      if (p === data.test.y[i]) correct++;
    });
    return correct / data.test.count;
  });
}
