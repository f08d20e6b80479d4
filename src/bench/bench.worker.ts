// The bench worker: one backend per worker instance (so "stock wasm" and "wasm + kernels" never
// share a kernel registry), MNIST from public/data, the reference teacher, the timed runs.
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { activateBackend, configureWasm } from '../engine/backends/select';
import { disableFusedTraining } from '../engine/backends/wasm-fused-training';
import { registerFastWasmTraining } from '../engine/backends/wasm-training';
import { fetchWithProgress, loadDataset } from '../engine/data/loader';
import type { Dataset } from '../engine/data/types';
import { measureModelLatency } from '../engine/measure/measure-model';
import { buildModel } from '../engine/network/build';
import type { TrainUpdate } from '../worker/protocol';
import { BENCH_TRAINING, compareOverhead, measureThroughput, REFERENCE_TEACHER } from './loops';
import type { BenchTarget, BenchWorkerApi, StartInfo } from './protocol';

/** The app's wasm training kernels, registered only in the "with kernels" worker. */
const KERNELS = { name: 'registerFastWasmTraining()', register: registerFastWasmTraining };

configureWasm({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});

const SEED = 42;
const baseUrl = new URL(import.meta.env.BASE_URL, self.location.origin).href;
let data: Dataset | null = null;

const teacher = () => buildModel(REFERENCE_TEACHER, [28, 28, 1], 10, SEED);

function loaded(): Dataset {
  if (!data) throw new Error('call loadMnist first');
  return data;
}

const api: BenchWorkerApi = {
  async start(target: BenchTarget): Promise<StartInfo> {
    if (target.kernels) KERNELS.register();
    if (!target.fused) disableFusedTraining();
    const info = await activateBackend(target.backend);
    const wasm =
      info.active === 'wasm'
        ? { hasConvFilterGrad: tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined }
        : {};
    return {
      active: info.active,
      notices: info.notices,
      ...(info.wasmThreads !== undefined ? { wasmThreads: info.wasmThreads } : {}),
      ...wasm,
      ...(target.kernels ? { kernelsFunction: KERNELS.name } : {}),
      ...(info.trainingKernels ? { trainingKernels: info.trainingKernels } : {}),
    };
  },

  async loadMnist(count: number) {
    const started = performance.now();
    data = await loadDataset(
      { id: 'mnist', trainSize: count, testSize: 10, noise: 0 },
      SEED,
      fetchWithProgress,
      baseUrl,
    );
    return { count: data.train.count, loadMs: performance.now() - started };
  },

  async throughput(maxSteps: number, maxMs: number, onUpdate: (update: TrainUpdate) => void) {
    const model = teacher();
    const limits = { maxSteps, maxMs };
    try {
      return await measureThroughput(model, loaded(), BENCH_TRAINING, SEED, limits, onUpdate);
    } finally {
      model.dispose();
    }
  },

  overhead(steps: number, pairs: number, onUpdate: (update: TrainUpdate) => void) {
    return compareOverhead(teacher, loaded(), BENCH_TRAINING, SEED, { steps, pairs }, onUpdate);
  },

  async latency() {
    const model = teacher();
    try {
      const { batch1, batch32 } = await measureModelLatency(model, [28, 28, 1], 30);
      return {
        batch1MedianMs: batch1.medianMs,
        batch1P90Ms: batch1.p90Ms,
        batch32MedianMs: batch32.medianMs,
      };
    } finally {
      model.dispose();
    }
  },
};

Comlink.expose(api);
