/**
 * One training step of the reference CNN on the wasm backend as the app trains (our fused
 * conv-pool blocks and Adam, the other kernels tfjs-wasm's with our overrides),
 * profiled kernel by kernel: for issue 16's table. Node only (scripts/profile-training.mjs loads
 * it through Vite's module runner); nothing is asserted.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadFusedTraining } from '../engine/backends/wasm-fused-training';
import { registerFastWasmTraining } from '../engine/backends/wasm-training';
import { buildModel } from '../engine/network/build';
import { trainingLogits } from '../engine/train/conv-block';
import { crossEntropyLoss, makeOptimizer } from '../engine/train/loop';
import { REFERENCE_TEACHER } from './loops';

export interface KernelTime {
  kernel: string;
  calls: number;
  totalMs: number;
}

export interface TrainingProfile {
  batch: number;
  /** Median wall time of one step without the profiler (ms). */
  stepMs: number;
  /** Σ kernel time within one profiled step (ms). */
  kernelMs: number;
  kernels: KernelTime[];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Profiles a training step (forward, backward, Adam) at `batch`, `runs` timed steps. */
export async function profileTrainingStep(batch = 128, runs = 20): Promise<TrainingProfile> {
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${path.dirname(main)}/`);
  await tf.setBackend('wasm');
  registerFastWasmTraining();
  const fused = await loadFusedTraining();
  if ('fallback' in fused)
    throw new Error(`the fused training kernels did not load: ${fused.detail}`);
  const model = buildModel(REFERENCE_TEACHER, [28, 28, 1], 10, 1);
  const optimizer = makeOptimizer({
    optimizer: 'adam',
    learningRate: 0.001,
    momentum: 0.9,
    batchSize: batch,
    epochs: 1,
  });
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const x = tf.randomUniform([batch, 28, 28, 1]);
  const labels = tf.tensor1d(
    Array.from({ length: batch }, (_, i) => i % 10),
    'int32',
  );
  const step = () =>
    tf.tidy(() => {
      const loss = optimizer.minimize(
        () => crossEntropyLoss(trainingLogits(model, x), labels as tf.Tensor1D),
        true,
        variables,
      );
      return loss!.dataSync()[0];
    });
  for (let i = 0; i < 3; i++) step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    step();
    times.push(performance.now() - t0);
  }
  const info = await tf.profile(() => {
    step();
  });
  const byKernel = new Map<string, KernelTime>();
  // tf.customGrad ops (our conv-pool blocks) are profiled as 'forward' around their own kernels,
  // which are listed too: counting both would count the blocks' forward twice.
  for (const k of info.kernels.filter((k) => k.name !== 'forward')) {
    const entry = byKernel.get(k.name) ?? { kernel: k.name, calls: 0, totalMs: 0 };
    entry.calls++;
    entry.totalMs += Number(await k.kernelTimeMs);
    byKernel.set(k.name, entry);
  }
  const kernels = [...byKernel.values()].sort((a, b) => b.totalMs - a.totalMs);
  tf.dispose([x, labels]);
  optimizer.dispose();
  model.dispose();
  return {
    batch,
    stepMs: median(times),
    kernelMs: kernels.reduce((a, k) => a + k.totalMs, 0),
    kernels,
  };
}
