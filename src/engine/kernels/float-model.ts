/**
 * A plain float model (techniques/plain NamedLayer[]: dense / conv / maxpool / flatten, ReLU or
 * linear) on our wasm engine, for pruned variants: every weight layer is held both dense (SIMD
 * over output channels) and as CSR (work ∝ non-zeros), and runs in the form chosen per layer —
 * by density at first, by measurement after chooseFloatModes. One call runs the whole model.
 */
import type { NamedLayer } from '../network/layers';
import type { EngineExports, EngineFailure, Fallback, KernelEngine, KernelPath } from './engine';
import {
  copyIn,
  instantiate,
  interleavedMedianMs,
  isFallback,
  loadEngine,
  runBatch,
} from './engine';

/** How a weight layer runs: dense SIMD or compressed sparse rows. */
export type FloatLayerMode = 'dense' | 'csr';

/** Why a float model stays on tfjs. */
export type FloatFallbackReason =
  EngineFailure | 'unsupported-activation' | 'unsupported-model' | 'out-of-memory';

export type FloatFallback = Fallback<FloatFallbackReason>;

/** Density (non-zero fraction) at or below which a layer starts in CSR before any measurement. */
export const CSR_DENSITY = 0.3;

const MODE: Record<FloatLayerMode, number> = { dense: 1, csr: 2 };

export interface FloatOptions {
  engine?: KernelEngine;
  prefer?: KernelPath;
  /** One mode per weight layer; default: CSR where density ≤ CSR_DENSITY. */
  modes?: FloatLayerMode[];
}

export interface FloatHandle {
  path: KernelPath;
  exports: EngineExports;
  /** Input values per example. */
  features: number;
  /** Output values per example. */
  outputSize: number;
  /** Per weight layer: its name, engine op index, non-zero fraction and current mode. */
  names: string[];
  opIndex: number[];
  density: number[];
  modes: FloatLayerMode[];
}

const fail = (fallback: FloatFallbackReason, detail: string): FloatFallback => ({
  fallback,
  detail,
});

function nonZeroFraction(values: Float32Array): number {
  let n = 0;
  for (const v of values) if (v !== 0) n++;
  return values.length ? n / values.length : 0;
}

/** What stops these layers from running on the float engine, or null when nothing does. */
export function floatUnsupported(layers: readonly NamedLayer[]): FloatFallback | null {
  for (const layer of layers) {
    if (layer.kind !== 'dense' && layer.kind !== 'conv') continue;
    const act = layer.activation ?? 'linear';
    if (act !== 'relu' && act !== 'linear') {
      return fail('unsupported-activation', `${layer.name}: ${act} (the engine fuses ReLU only)`);
    }
  }
  return null;
}

/** Copies the layers into a fresh engine instance once; FloatFallback says why it cannot. */
export async function prepareFloatModel(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
  options: FloatOptions = {},
): Promise<FloatHandle | FloatFallback> {
  const unsupported = floatUnsupported(layers);
  if (unsupported) return unsupported;
  const engine = options.engine ?? (await loadEngine({ prefer: options.prefer }));
  if (isFallback(engine)) return engine;
  const ex = instantiate(engine);
  if (isFallback(ex)) return ex;
  const oom = fail('out-of-memory', 'the engine could not grow its memory');
  const features = inputShape.reduce((a, b) => a * b, 1);
  if (!ex.f_begin(features)) return oom;
  const handle: FloatHandle = {
    path: engine.path,
    exports: ex,
    features,
    outputSize: 0,
    names: [],
    opIndex: [],
    density: [],
    modes: [],
  };
  let shape = [...inputShape];
  let opCount = 0;
  for (const layer of layers) {
    if (layer.kind === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
      continue;
    }
    if (layer.kind === 'maxpool') {
      if (shape.length !== 3) return fail('unsupported-model', 'max pooling needs h × w × c input');
      const [h, w, c] = shape as [number, number, number];
      if (!ex.f_pool(h, w, c)) return oom;
      shape = [Math.floor(h / 2), Math.floor(w / 2), c];
      opCount++;
      continue;
    }
    const ks = layer.kernelShape;
    const outC = ks[ks.length - 1]!;
    let dims: [number, number, number, number, number];
    if (layer.kind === 'conv') {
      const [kh, kw, kc] = ks;
      const [h = 0, w = 0, c = 0] = shape;
      if (shape.length !== 3 || c !== kc || kh > h || kw > w) {
        return fail(
          'unsupported-model',
          `${layer.name}: input [${shape.join(', ')}] vs HWIO kernel`,
        );
      }
      dims = [h, w, c, kh, kw];
      shape = [h - kh + 1, w - kw + 1, outC];
    } else {
      const inDim = ks[0];
      const size = shape.reduce((a, b) => a * b, 1);
      if (size % inDim !== 0) {
        return fail('unsupported-model', `${layer.name}: ${size} values per example vs ${inDim}`);
      }
      dims = [size / inDim, 1, inDim, 1, 1];
      shape = [...shape.slice(0, -1), outC];
    }
    const density = nonZeroFraction(layer.kernel);
    const mode = options.modes?.[handle.names.length] ?? (density <= CSR_DENSITY ? 'csr' : 'dense');
    const kernel = copyIn(ex, layer.kernel);
    const bias = copyIn(ex, layer.bias);
    if (!kernel || !bias) return oom;
    const relu = layer.activation === 'relu' ? 1 : 0;
    if (!ex.f_layer(...dims, outC, kernel, bias, relu, MODE[mode])) return oom;
    handle.names.push(layer.name);
    handle.opIndex.push(opCount++);
    handle.density.push(density);
    handle.modes.push(mode);
  }
  handle.outputSize = ex.f_output_size();
  return handle;
}

/** Sets each weight layer's mode (dense / CSR), in layer order. */
export function setFloatModes(handle: FloatHandle, modes: readonly FloatLayerMode[]): void {
  modes.forEach((mode, i) => {
    const op = handle.opIndex[i];
    if (op === undefined) throw new RangeError(`The model has no weight layer ${i}.`);
    handle.exports.f_set_mode(op, MODE[mode]);
    handle.modes[i] = mode;
  });
}

/** Outputs y[batch, outputSize] of x (row-major [batch, …inputShape]): the float model's predict. */
export function runFloat(handle: FloatHandle, x: Float32Array, batch: number): Float32Array {
  const ex = handle.exports;
  return runBatch(ex, { input: ex.f_input, run: ex.f_run, what: 'float' }, x, batch, handle);
}

export interface FloatLayerTiming {
  name: string;
  density: number;
  denseMs: number;
  csrMs: number;
}

/** Median ms of each weight layer alone at `batch`, dense and CSR timed in turn (modes are restored after). */
export function floatLayerTimings(
  handle: FloatHandle,
  batch: number,
  runs = 9,
): FloatLayerTiming[] {
  const ex = handle.exports;
  if (ex.f_input(batch) === 0) throw new RangeError('The float engine could not grow its memory.');
  const modes = [...handle.modes];
  const out = handle.names.map((name, i) => {
    const op = handle.opIndex[i]!;
    const run = (mode: FloatLayerMode) => () => {
      ex.f_set_mode(op, MODE[mode]);
      ex.f_run_op(op, batch);
    };
    const [denseMs, csrMs] = interleavedMedianMs([run('dense'), run('csr')], runs);
    return { name, density: handle.density[i]!, denseMs: denseMs!, csrMs: csrMs! };
  });
  setFloatModes(handle, modes);
  return out;
}

/**
 * Share of the dense time CSR must stay under to be chosen: a tiny layer (the logits) times the
 * same either way, and a near tie chosen by the noise would make the note claim a sparse kernel.
 */
export const CSR_MARGIN = 0.95;

/** mode_i = csr when csrMs_i < 0.95 · denseMs_i, else dense (near ties keep the dense kernel). */
export function fasterModes(timings: readonly FloatLayerTiming[]): FloatLayerMode[] {
  return timings.map((t) => (t.csrMs < CSR_MARGIN * t.denseMs ? 'csr' : 'dense'));
}

/** Per layer the faster of dense and CSR at `batch` (measured), set on the handle and returned. */
export function chooseFloatModes(handle: FloatHandle, batch: number, runs = 9): FloatLayerMode[] {
  const modes = fasterModes(floatLayerTimings(handle, batch, runs));
  setFloatModes(handle, modes);
  return modes;
}

export interface FloatPredictor {
  /** y = runFloat(handle, x, batch), on smallModes for batches below SMALL_BATCH, else modes. */
  predict(x: Float32Array, batch: number): Float32Array;
  path: KernelPath;
  modes: FloatLayerMode[];
  /** The modes batches below SMALL_BATCH run on (= modes unless chosen apart). */
  smallModes: FloatLayerMode[];
  /** Per weight layer, in order: its name and the fraction of its weights that are non-zero. */
  names: string[];
  density: number[];
}

/** Batches below this run on the modes chosen at `smallBatch` (a CSR layer can win at 32, not at 1). */
export const SMALL_BATCH = 8;

/**
 * The engine's predict for plain float layers, or why not: modes chosen by measurement at
 * `chooseAtBatch` and, given `smallBatch`, apart for batches below SMALL_BATCH.
 */
export async function floatPredictor(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
  options: FloatOptions & { chooseAtBatch?: number; smallBatch?: number } = {},
): Promise<FloatPredictor | FloatFallback> {
  const handle = await prepareFloatModel(layers, inputShape, options);
  if (isFallback(handle)) return handle;
  const smallModes = options.smallBatch ? chooseFloatModes(handle, options.smallBatch) : null;
  const modes = options.chooseAtBatch ? chooseFloatModes(handle, options.chooseAtBatch) : null;
  const large = modes ?? [...handle.modes];
  const small = smallModes ?? large;
  return {
    predict: (x, batch) => {
      const want = batch < SMALL_BATCH ? small : large;
      if (want.some((m, i) => handle.modes[i] !== m)) setFloatModes(handle, want);
      return runFloat(handle, x, batch);
    },
    path: handle.path,
    modes: [...large],
    smallModes: [...small],
    names: [...handle.names],
    density: [...handle.density],
  };
}
