// The engine worker: a thin comlink adapter around EngineSession. All tfjs work runs here.
import '../experiment/zod-config';
import * as Comlink from 'comlink';
import * as tf from '@tensorflow/tfjs';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreaded from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { activateBackend, configureWasm } from '../engine/backends/select';
import { registerFastWasmTraining } from '../engine/backends/wasm-training';
import { fetchWithProgress, loadDataset } from '../engine/data/loader';
import { previewSamples } from '../engine/data/preview';
import { loadTechniqueStage } from '../engine/pipeline/registry';
import { EngineSession } from '../engine/session';
import type { DatasetSpec } from '../experiment/schema';
import { lifelineApi } from './lifeline';
import type { DataProgress, DatasetInfo, EngineApi, TrainUpdate } from './protocol';
import { ProgressBatcher } from './throttle';

configureWasm({
  'tfjs-backend-wasm.wasm': wasmPlain,
  'tfjs-backend-wasm-simd.wasm': wasmSimd,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreaded,
});
registerFastWasmTraining();

const baseUrl = new URL(import.meta.env.BASE_URL, self.location.origin).href;
let onDataProgress: ((p: DataProgress) => void) | null = null;

const session = new EngineSession(
  (spec, seed) =>
    loadDataset(spec, seed, fetchWithProgress, baseUrl, (loadedBytes, totalBytes) =>
      onDataProgress?.({ loadedBytes, totalBytes }),
    ),
  loadTechniqueStage,
);

/**
 * Closes the channel of a callback the page passed with a call, once that call is over: comlink
 * otherwise keeps it (and what the page's callback holds) until this worker's GC finds the proxy.
 * A plain function (tests) has nothing to close.
 */
function releaseCallback(callback: unknown): void {
  const remote = callback as { [Comlink.releaseProxy]?: () => void };
  remote[Comlink.releaseProxy]?.();
}

/** Runs `call`, then releases `callback` (see releaseCallback), whatever the outcome. */
async function withCallback<T>(callback: unknown, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } finally {
    releaseCallback(callback);
  }
}

/** At most ~10 progress messages a second cross the boundary, and always the last one. */
function throttled(
  onProgress: (fraction: number, message: string) => void,
): (fraction: number, message: string) => void {
  let last = 0;
  return (fraction, message) => {
    const now = performance.now();
    if (fraction < 1 && now - last < 100) return;
    last = now;
    onProgress(fraction, message);
  };
}

const api: EngineApi = {
  ...lifelineApi,
  init: (preference, cached) => activateBackend(preference, cached ?? null),

  async loadDataset(spec: DatasetSpec, seed: number, onProgress): Promise<DatasetInfo> {
    onDataProgress = onProgress;
    try {
      const data = await session.ensureDataset(spec, seed);
      return {
        id: data.id,
        trainCount: data.train.count,
        validationCount: data.validation.count,
        testCount: data.test.count,
        numClasses: data.numClasses,
        classNames: data.classNames,
        inputShape: data.inputShape,
        preview: previewSamples(data, data.inputShape.length === 3 ? 32 : 400),
      };
    } finally {
      onDataProgress = null;
      releaseCallback(onProgress);
    }
  },

  async trainTeacher(experiment, onUpdate: (update: TrainUpdate) => void) {
    const batcher = new ProgressBatcher(onUpdate);
    try {
      return await session.trainTeacher(
        experiment,
        (s) => batcher.step(s),
        (e) => batcher.epoch(e),
      );
    } finally {
      batcher.flush();
      await batcher.delivered();
      releaseCallback(onUpdate);
    }
  },

  async runAll(experiment, onUpdate: (update: TrainUpdate) => void) {
    const batcher = new ProgressBatcher(onUpdate);
    try {
      await session.runAll(
        experiment,
        (source, s) => batcher.step(s, source),
        (e) => batcher.epoch(e),
        (e) => batcher.event(e),
      );
    } finally {
      batcher.flush();
      await batcher.delivered();
      releaseCallback(onUpdate);
    }
  },

  inspect: async (source, experiment, layerName) => session.inspect(source, experiment, layerName),
  temperature: (index, variantId) => session.temperature(index, variantId),
  saveTeacher: (experiment) => session.saveTeacher(experiment),
  loadTeacher: (experiment, meta) => session.loadTeacher(experiment, meta),
  exportTeacher: async () => {
    const model = await session.exportTeacher();
    return Comlink.transfer(model, [model.weightData]);
  },
  exportTeacherSafetensors: async () => {
    const bytes = await session.exportTeacherSafetensors();
    return Comlink.transfer(bytes, [bytes.buffer]);
  },
  exportOnnx: async (source) => {
    const artifact = await session.exportOnnx(source);
    return Comlink.transfer(artifact, [artifact.bytes.buffer]);
  },
  onnxReason: async (source) => session.onnxReason(source),
  importTeacher: (artifacts, experiment, outcome) =>
    session.importTeacher(artifacts, experiment, outcome),
  exportModel: async (source) => {
    const model = await session.exportModel(source);
    return Comlink.transfer(model, [model.weightData]);
  },
  sensitivity: (experiment, sparsities, onProgress) =>
    withCallback(onProgress, () =>
      session.sensitivity(experiment, sparsities, throttled(onProgress)),
    ),
  analyzeQuantization: (source) => session.analyzeQuantization(source),
  quantSensitivity: (experiment, bits, onProgress) =>
    withCallback(onProgress, () =>
      session.quantSensitivity(experiment, bits, throttled(onProgress)),
    ),
  testSamples: (indices) => session.testSamples(indices),
  teacherPredictions: async () => {
    const predictions = await session.teacherPredictions();
    return Comlink.transfer(predictions, [predictions.buffer]);
  },
  testLabels: () => {
    const labels = session.testLabels();
    return Comlink.transfer(labels, [labels.buffer]);
  },
  pause: () => session.pause(),
  resume: () => session.resume(),
  cancel: () => session.cancel(),
  releaseModels: () => session.releaseModels(),
  memory: () => {
    const { numTensors, numBytes } = tf.memory();
    return { numTensors, numBytes };
  },
};

Comlink.expose(api);
