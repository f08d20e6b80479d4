/**
 * Measurements behind scripts/bench-kernels.mjs (Node): the reference CNN as an int8 model on the
 * wasm engine vs the JS integer reference vs tfjs-wasm fp32 predict, at batch 1 and 32; and the
 * 50 % / 90 % magnitude-pruned float CNN on the engine (every layer dense, every layer CSR, the
 * per-layer choice by measurement) vs tfjs-wasm predict. Ratios are printed, never asserted.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { NamedLayer } from '../network/layers';
import { buildFromLayers } from '../network/layer-ir';
import { runIntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { Fallback, KernelEngine } from './engine';
import { compileEngine, isFallback, loadEngine, sortedCallTimes } from './engine';
import type { FloatLayerMode } from './float-model';
import { chooseFloatModes, prepareFloatModel, runFloat, setFloatModes } from './float-model';
import type { Int8KernelChoice } from './int8-model';
import { prepareInt8Model, runInt8 } from './int8-model';
import {
  inputData,
  integerModelOf,
  magnitudePruned,
  prepareEngineForTests,
  referenceCnn,
  uniform,
} from './test-support';

export interface Timing {
  medianMs: number;
  p90Ms: number;
}

/** Median and p90 of `runs` timed calls after `warmup` untimed ones (ms per call; warm-ups also let V8 tier wasm up from Liftoff). */
export function timeCalls(f: () => unknown, warmup = 20, runs = 30): Timing {
  const times = sortedCallTimes(f, runs, { warmupCalls: warmup });
  return { medianMs: times[Math.floor(runs / 2)]!, p90Ms: times[Math.floor(runs * 0.9)]! };
}

async function useTfjsWasm(): Promise<void> {
  const main = createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm');
  setWasmPaths(`${path.dirname(main)}/`);
  await tf.setBackend('wasm');
  await tf.ready();
}

function tfjsPredictTime(
  layers: NamedLayer[],
  x: Float32Array,
  batch: number,
  runs: number,
): Timing {
  const model = buildFromLayers(layers, [28, 28, 1]);
  const input = tf.tensor(x, [batch, 28, 28, 1]);
  const timing = timeCalls(
    () => {
      const y = model.predict(input) as tf.Tensor;
      y.dataSync();
      y.dispose();
    },
    5,
    runs,
  );
  input.dispose();
  model.dispose();
  return timing;
}

export interface BenchRow {
  what: string;
  batch: number;
  timing: Timing;
}

export interface KernelBench {
  rows: BenchRow[];
  notes: string[];
}

/** Runs every measurement of the kernel bench (a few seconds to a minute on 2 cores). */
export async function benchKernels(runs = 30): Promise<KernelBench> {
  await prepareEngineForTests();
  const rows: BenchRow[] = [];
  const notes: string[] = [];
  const layers = referenceCnn();
  await tf.setBackend('cpu');
  const model = await integerModelOf(layers, inputData([28, 28, 1], 64, 5, 10));
  await useTfjsWasm();
  notes.push(
    `tfjs backend: ${tf.getBackend()}, threads: ${String(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'))}`,
  );
  for (const batch of [1, 32]) {
    const x = uniform(batch * 784, 100 + batch);
    rows.push({
      what: 'tfjs-wasm fp32 predict',
      batch,
      timing: tfjsPredictTime(layers, x, batch, runs),
    });
    rows.push({
      what: 'JS integer reference',
      batch,
      timing: timeCalls(() => runIntegerModel(model, x, batch), 2, Math.min(runs, 10)),
    });
    // loadEngine's choice (relaxed SIMD only where it passes its self-test), then the relaxed
    // build's own fixed kernels (its float path uses relaxed_madd).
    const best = await loadEngine();
    const relaxed = await compileEngine('relaxed-simd');
    const variants: [KernelEngine | Fallback, Int8KernelChoice, string][] = [
      [best, 'auto', 'loadEngine()'],
      [best, 'measure', 'loadEngine()'],
      [relaxed, 'fixed', 'relaxed build'],
    ];
    if (batch === 1 && !isFallback(best) && best.note) notes.push(`loadEngine(): ${best.note}`);
    for (const [engine, kernel, label] of variants) {
      if (isFallback(engine)) {
        notes.push(`${label}: ${engine.fallback} (${engine.detail})`);
        continue;
      }
      const handle = await prepareInt8Model(model, { engine, kernel, measureBatch: batch });
      if (isFallback(handle)) {
        notes.push(`${label} ${kernel}: ${handle.fallback} (${handle.detail})`);
        continue;
      }
      rows.push({
        what: `int8 wasm ${handle.path} ${kernel} [${handle.kernels.join(',')}]`,
        batch,
        timing: timeCalls(() => runInt8(handle, x, batch), 20, runs),
      });
    }
  }
  // The float path has no relaxed dot products: the relaxed build (relaxed_madd) runs it.
  const relaxedEngine = await compileEngine('relaxed-simd');
  const relaxedFloat = isFallback(relaxedEngine) ? undefined : relaxedEngine;
  for (const sparsity of [0.5, 0.9]) {
    const pruned = magnitudePruned(layers, sparsity);
    for (const batch of [1, 32]) {
      const x = uniform(batch * 784, 200 + batch);
      rows.push({
        what: `${sparsity * 100}% sparse: tfjs-wasm fp32 predict`,
        batch,
        timing: tfjsPredictTime(pruned, x, batch, runs),
      });
      const handle = await prepareFloatModel(pruned, [28, 28, 1], { engine: relaxedFloat });
      if (isFallback(handle)) {
        notes.push(`float ${sparsity}: ${handle.fallback} (${handle.detail})`);
        continue;
      }
      const modes: FloatLayerMode[] = ['dense', 'csr'];
      for (const mode of modes) {
        setFloatModes(
          handle,
          handle.modes.map(() => mode),
        );
        rows.push({
          what: `${sparsity * 100}% sparse: wasm f32 all ${mode} (${handle.path})`,
          batch,
          timing: timeCalls(() => runFloat(handle, x, batch), 20, runs),
        });
      }
      const chosen = chooseFloatModes(handle, batch);
      rows.push({
        what: `${sparsity * 100}% sparse: wasm f32 measured choice [${chosen.join(', ')}]`,
        batch,
        timing: timeCalls(() => runFloat(handle, x, batch), 20, runs),
      });
    }
  }
  return { rows, notes };
}
