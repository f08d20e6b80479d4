/**
 * The resource guard: how much memory a run needs, estimated from the experiment alone before
 * anything is allocated, against what the backend can address; and the out-of-memory errors of
 * a run turned into the same plain message. Pure: no tfjs.
 */
import type { ArchitectureSpec, BackendName, Experiment } from '../../experiment/schema';
import { inputShapeOf, numClassesOf } from '../../experiment/schema';
import { layerCosts, totalParams } from './macs';

/** Bytes a backend can hold: wasm32's heap (tfjs-wasm grows to 4 GiB), a JS heap, a GPU budget. */
export const BACKEND_MEMORY_BYTES: Record<BackendName, number> = {
  wasm: 4 * 2 ** 30,
  cpu: 4 * 2 ** 30,
  webgl: 2 * 2 ** 30,
  webgpu: 2 * 2 ** 30,
};

/** float32 values per trained parameter: the weight, its gradient and Adam's two moments. */
const TRAINING_COPIES = 4;
/** float32 copies of each layer output in a training step: forward, its gradient, a temporary. */
const ACTIVATION_COPIES = 3;
/** Examples a measurement batch holds (evaluation runs 256 at a time). */
const EVAL_BATCH = 256;

export interface MemoryEstimate {
  /** The dataset as float32 features and one byte per label: (train + test)·(4·features + 1). */
  datasetBytes: number;
  /** The largest model in training: 4 copies of its weights + 3 of its activations at the batch. */
  trainingBytes: number;
  /** Which model that is, e.g. "the teacher" or "the student of “Distilled”". */
  largest: string;
  totalBytes: number;
}

function modelBytes(
  architecture: ArchitectureSpec,
  inputShape: number[],
  classes: number,
  batch: number,
): number {
  const rows = layerCosts(architecture, inputShape, classes);
  const params = totalParams(rows);
  const outputs = rows.reduce((a, r) => a + r.outputShape.reduce((x, y) => x * y, 1), 0);
  const inputs = inputShape.reduce((a, b) => a * b, 1);
  return (
    4 *
    (TRAINING_COPIES * params +
      ACTIVATION_COPIES * Math.max(batch, EVAL_BATCH) * (inputs + outputs))
  );
}

/**
 * Memory of a run: dataset + the largest of the teacher and the students in training, where a
 * model needs 4·(4·params + 3·batch·(inputs + Σ layer outputs)) bytes (weights, gradients, Adam
 * moments; activations, their gradients and a temporary).
 */
export function estimateRunMemory(experiment: Experiment): MemoryEstimate {
  const inputShape = inputShapeOf(experiment.dataset.id);
  const classes = numClassesOf(experiment.dataset.id);
  const features = inputShape.reduce((a, b) => a * b, 1);
  const { trainSize, testSize } = experiment.dataset;
  const datasetBytes = (trainSize + testSize) * (4 * features + 1);
  const candidates = [
    {
      who: 'the teacher',
      bytes: modelBytes(
        experiment.teacher.architecture,
        inputShape,
        classes,
        experiment.teacher.training.batchSize,
      ),
    },
    ...experiment.variants.flatMap((v) =>
      v.source === 'student' && v.student
        ? [
            {
              who: `the student of “${v.name}”`,
              bytes: modelBytes(v.student, inputShape, classes, 128),
            },
          ]
        : [],
    ),
  ];
  const largest = candidates.reduce((a, b) => (b.bytes > a.bytes ? b : a));
  return {
    datasetBytes,
    trainingBytes: largest.bytes,
    largest: largest.who,
    totalBytes: datasetBytes + largest.bytes,
  };
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(bytes < 2 ** 30 ? 2 : 1)} GiB`;

/**
 * Why the run would not fit the backend, in words a student can act on, or null when it fits:
 * estimate > BACKEND_MEMORY_BYTES[backend].
 */
export function memoryRefusal(experiment: Experiment, backend: BackendName): string | null {
  const estimate = estimateRunMemory(experiment);
  const limit = BACKEND_MEMORY_BYTES[backend];
  if (estimate.totalBytes <= limit) return null;
  return (
    `This run needs about ${gib(estimate.totalBytes)} (the data set ${gib(estimate.datasetBytes)}, ` +
    `training ${estimate.largest} ${gib(estimate.trainingBytes)}), more than the ${gib(limit)} the ` +
    `${backend} backend can hold: use fewer training examples, a smaller batch size or narrower ` +
    'layers. Nothing was changed.'
  );
}

/** Messages of allocation failures in tfjs, wasm and the browser. */
const OUT_OF_MEMORY =
  /out of memory|Array buffer allocation failed|Cannot allocate|could not allocate|Invalid typed array length|WebAssembly\.Memory\(\): could not|Failed to (create|allocate) (buffer|texture)/i;

/** Thrown when a run would not fit, or did not: the message says what to change. */
export class ResourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResourceError';
  }
}

/** Whether an error is the backend running out of memory. */
export function isOutOfMemory(error: unknown): boolean {
  const text = error instanceof Error ? `${error.name} ${error.message}` : String(error);
  return OUT_OF_MEMORY.test(text);
}

/** The plain message of an out-of-memory error during a run, with what to change. */
export function outOfMemoryMessage(experiment: Experiment, backend: BackendName): string {
  const estimate = estimateRunMemory(experiment);
  return (
    `The ${backend} backend ran out of memory (this run needs about ${gib(estimate.totalBytes)}: ` +
    `the data set ${gib(estimate.datasetBytes)}, training ${estimate.largest} ` +
    `${gib(estimate.trainingBytes)}): use fewer training examples, a smaller batch size or ` +
    'narrower layers. Your experiment and earlier results are kept.'
  );
}
