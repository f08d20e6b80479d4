import * as tf from '@tensorflow/tfjs';
import type { BackendName } from '../../experiment/schema';
import { buildModel } from '../network/build';
import { createRng } from '../rng';
import { trainingLogits } from '../train/conv-block';
import { fusedAdam } from '../train/fused-adam';
import { registerFastWasmTraining } from './wasm-training';

/** Training throughput of one backend on the probe CNN. */
export interface BackendThroughput {
  backend: BackendName;
  samplesPerSec: number;
  /** Timed steps after the warm-up; 0 = the warm-up alone used the budget (a lower bound). */
  steps: number;
}

export interface BenchmarkOptions {
  /** Samples a step (default 32; at most 8 on the cpu backend). */
  batchSize?: number;
  /** Wall time each backend may spend on timed steps, in ms (default 1000). */
  budgetMs?: number;
  /** Wall time all backends may spend together, in ms (default 2500; one step is never cut). */
  totalBudgetMs?: number;
  /** Untimed steps first, cut by the budget (default 2: new wasm code is still being optimized). */
  warmupSteps?: number;
  /** Most timed steps a backend runs (default 12). */
  maxSteps?: number;
  /** Clock in ms (injectable for tests). */
  now?: () => number;
  /** Makes a backend active; false when it cannot start (default: tf.setBackend + tf.ready). */
  activate?: (backend: BackendName) => Promise<boolean>;
  seed?: number;
}

/** Steps taken, wall time spent, and each step's time by {@link timeSteps}. */
export interface TimedSteps {
  steps: number;
  elapsedMs: number;
  stepMs: number[];
}

/**
 * Runs `step` until `budgetMs` of wall time has passed or `maxSteps` steps are done, whichever
 * comes first (at least one step): a slow backend costs about one step over the budget.
 */
export async function timeSteps(
  step: () => Promise<void>,
  budgetMs: number,
  maxSteps: number,
  now: () => number,
): Promise<TimedSteps> {
  const start = now();
  const stepMs: number[] = [];
  let last = start;
  do {
    await step();
    const t = now();
    stepMs.push(t - last);
    last = t;
  } while (stepMs.length < maxSteps && last - start < budgetMs);
  return { steps: stepMs.length, elapsedMs: last - start, stepMs };
}

/**
 * Samples/s from per-step times: B / median(step s). The median, not the mean, because a
 * freshly loaded wasm module runs its first steps on baseline-compiled code (~3× slower).
 */
export function samplesPerSecond(stepMs: readonly number[], batchSize: number): number {
  const sorted = [...stepMs].sort((a, b) => a - b);
  const mid = sorted.length / 2;
  const median =
    sorted.length % 2 === 1
      ? (sorted[Math.floor(mid)] ?? NaN)
      : ((sorted[mid - 1] ?? NaN) + (sorted[mid] ?? NaN)) / 2;
  return (batchSize * 1000) / Math.max(median, 1e-3);
}

/** Results sorted fastest first (by samples/s, descending; non-finite values last). */
export function sortByThroughput(results: readonly BackendThroughput[]): BackendThroughput[] {
  const key = (r: BackendThroughput) => (Number.isFinite(r.samplesPerSec) ? r.samplesPerSec : -1);
  return [...results].sort((a, b) => key(b) - key(a));
}

/** The fastest result (highest samples/s), or undefined when no backend was measured. */
export function pickFastest(results: readonly BackendThroughput[]): BackendThroughput | undefined {
  return sortByThroughput(results)[0];
}

/** Largest probe batch on the cpu backend (see benchmarkTrainingBackends). */
const CPU_BATCH = 8;

const keepAlive: { gpu?: unknown } = {};

async function startBackend(name: BackendName): Promise<boolean> {
  try {
    // Chromium can collect a worker's GPU instance while tfjs still uses its device; hold it.
    if (name === 'webgpu') keepAlive.gpu = (globalThis.navigator as { gpu?: unknown }).gpu;
    if (!(await tf.setBackend(name))) return false;
    await tf.ready();
    return true;
  } catch {
    return false;
  }
}

interface Probe {
  step(): Promise<void>;
  dispose(): void;
}

/** The reference teacher scaled down (conv 8, conv 16, dense 32) on random 28×28×1 digits. */
function makeProbe(batchSize: number, seed: number): Probe {
  const spec = {
    kind: 'cnn' as const,
    convs: [
      { filters: 8, kernel: 3 },
      { filters: 16, kernel: 3 },
    ],
    dense: [32],
    activation: 'relu' as const,
  };
  const model = buildModel(spec, [28, 28, 1], 10, seed);
  const optimizer = fusedAdam(1e-3);
  const rng = createRng(seed);
  const pixels = Float32Array.from({ length: batchSize * 28 * 28 }, () => rng());
  const labels = Int32Array.from({ length: batchSize }, () => Math.floor(rng() * 10));
  const xs = tf.tensor4d(pixels, [batchSize, 28, 28, 1]);
  const ys = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), 10));
  const logits = () => trainingLogits(model, xs);
  return {
    async step() {
      const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, logits()), true);
      // Reading the loss back waits for GPU backends to finish the step.
      await loss?.data();
      loss?.dispose();
    },
    dispose() {
      tf.dispose([xs, ys]);
      optimizer.dispose();
      model.dispose();
    },
  };
}

/**
 * Trains a small CNN for a few Adam steps on each candidate backend that starts (after untimed
 * warm-up steps) and returns samples/s = batch / median step time, fastest first (the
 * cpu backend trains batches of at most 8). Each backend's timed steps stop after its share of
 * the time budget; a warm-up is not cut, so leave out GPUs known to be software-rendered (their
 * shader compiles take seconds). The fastest is left active (or the backend active before, when
 * none starts). Every tensor made here is disposed.
 */
export async function benchmarkTrainingBackends(
  candidates: readonly BackendName[],
  opts: BenchmarkOptions = {},
): Promise<BackendThroughput[]> {
  const batchSize = opts.batchSize ?? 32;
  const now = opts.now ?? (() => performance.now());
  const activate = opts.activate ?? startBackend;
  const maxSteps = opts.maxSteps ?? 12;
  const warmupSteps = Math.max(1, opts.warmupSteps ?? 2);
  const totalBudgetMs = opts.totalBudgetMs ?? 2500;
  const original = (tf.getBackend() ?? undefined) as BackendName | undefined;
  if (candidates.includes('wasm')) registerFastWasmTraining();
  const results: BackendThroughput[] = [];
  let spentMs = 0;
  for (const [i, backend] of candidates.entries()) {
    const share = (totalBudgetMs - spentMs) / (candidates.length - i);
    const budgetMs = Math.max(0, Math.min(opts.budgetMs ?? 1000, share));
    if (!(await activate(backend))) continue;
    // Plain-JS cpu throughput hardly depends on the batch, and a step of 32 takes seconds there.
    const batch = backend === 'cpu' ? Math.min(batchSize, CPU_BATCH) : batchSize;
    const probe = makeProbe(batch, opts.seed ?? 1);
    try {
      const warm = await timeSteps(() => probe.step(), budgetMs, warmupSteps, now);
      spentMs += warm.elapsedMs;
      if (warm.elapsedMs >= budgetMs) {
        // The warm-up used the whole budget: its steps are the (pessimistic) measurement.
        const samplesPerSec = samplesPerSecond(warm.stepMs, batch);
        results.push({ backend, samplesPerSec, steps: 0 });
        continue;
      }
      const timed = await timeSteps(() => probe.step(), budgetMs, maxSteps, now);
      spentMs += timed.elapsedMs;
      const samplesPerSec = samplesPerSecond(timed.stepMs, batch);
      results.push({ backend, samplesPerSec, steps: timed.steps });
    } catch {
      // A backend that starts but cannot train (a missing kernel) is simply not a candidate.
    } finally {
      probe.dispose();
    }
  }
  const sorted = sortByThroughput(results);
  const keep = sorted[0]?.backend ?? original;
  if (keep !== undefined && tf.getBackend() !== keep) await activate(keep);
  return sorted;
}
