/**
 * The engine as the measurement sees it: tensor in, logits tensor out, with the path in words.
 * Every figure in the results table comes through one of these, so the note can say which ran.
 */
import * as tf from '@tensorflow/tfjs';
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { NamedLayer } from '../network/layers';
import { isFallback } from './engine';
import type { KernelPath } from './engine';
import { floatPredictor } from './float-model';
import { int8Predictor } from './int8-model';
import type { Int8Kernel } from './int8-model';
import type { DynamicModel } from '../../techniques/quantize/dynamic';
import { prepareDynamicEngine } from './dynamic-model';
import { quickMedianMs } from '../measure/predict-latency';
import { wgslPredictor } from './wgsl/tensor-path';

/** A predict on tensors and the path it runs, e.g. "int8 wasm engine, fixed SIMD". */
export interface TensorPath {
  predict: (x: tf.Tensor) => tf.Tensor;
  path: string;
}

const SIMD_WORDS: Record<KernelPath, string> = {
  'relaxed-simd': 'relaxed SIMD',
  simd: 'fixed-width SIMD',
};

function tensorPredict(
  run: (x: Float32Array, batch: number) => Float32Array,
  outputSize: number,
): (x: tf.Tensor) => tf.Tensor {
  return (x) => {
    const batch = x.shape[0] ?? 0;
    return tf.tensor2d(run(x.dataSync() as Float32Array, batch), [batch, outputSize]);
  };
}

const KERNEL_WORDS: Record<Int8Kernel, string> = {
  'relaxed-dot': 'one relaxed dot',
  'relaxed-dot-i16': 'relaxed i16 dot',
  'relaxed-dot-i16-pairs': 'relaxed i16 dots in pairs',
  'relaxed-dot-split': 'two relaxed dots',
  'fixed-dot-i16': 'int16 dot',
};

/** The layers' kernels in words, e.g. "layers: relaxed i16 dot ×3, one relaxed dot ×1". */
function kernelWords(kernels: readonly Int8Kernel[]): string {
  const counts = new Map<Int8Kernel, number>();
  kernels.forEach((k) => counts.set(k, (counts.get(k) ?? 0) + 1));
  const parts = [...counts].map(([k, n]) => `${KERNEL_WORDS[k]} ×${n}`);
  return `layers: ${parts.join(', ')} (measured per layer)`;
}

/** The converted integer model on our int8 wasm engine, or why it cannot run there. */
async function int8WasmPath(model: IntegerModel): Promise<TensorPath | { reason: string }> {
  try {
    // Kernels chosen at batch 32, as the float engine's: short batches time too noisily.
    const engine = await int8Predictor(model, { measureBatch: 32 });
    if (isFallback(engine)) return { reason: engine.detail };
    return {
      predict: tensorPredict(engine.predict, model.outputSize),
      path: `int8 wasm engine, ${SIMD_WORDS[engine.path]}, one call per batch, ${kernelWords(engine.kernels)}`,
    };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

const WGSL_WORDS = 'int8 WGSL on WebGPU (dot4I8Packed), one command buffer per batch';

/**
 * The converted integer model on the fastest exact path of the active backend: the int8 wasm
 * engine, or on WebGPU the WGSL int8 path where it runs the model and measured faster at batch
 * 32 (both give the reference's logits bit for bit); else why neither can run it.
 */
export async function int8TensorPath(
  model: IntegerModel,
): Promise<TensorPath | { reason: string }> {
  const wasm = await int8WasmPath(model);
  if (tf.getBackend() !== 'webgpu') return wasm;
  let gpu: Awaited<ReturnType<typeof wgslPredictor>>;
  try {
    gpu = await wgslPredictor(model);
  } catch (error) {
    gpu = { reason: error instanceof Error ? error.message : String(error) };
  }
  if ('reason' in gpu) {
    return 'reason' in wasm
      ? wasm
      : { ...wasm, path: `${wasm.path}; WGSL int8 path not used: ${gpu.reason}` };
  }
  if ('reason' in wasm)
    return { predict: gpu.predict, path: `${WGSL_WORDS} (the wasm engine cannot: ${wasm.reason})` };
  const gpuMs = await quickMedianMs(gpu.predict, model.inputShape);
  const wasmMs = await quickMedianMs(wasm.predict, model.inputShape);
  if (gpuMs < wasmMs)
    return {
      predict: gpu.predict,
      path: `${WGSL_WORDS} (measured faster than the int8 wasm engine here)`,
    };
  gpu.dispose();
  return { ...wasm, path: `${wasm.path} (measured faster than the WGSL int8 path here)` };
}

/** Which layers run CSR, with their non-zero share, e.g. "CSR sparse kernel in conv2 (26 % non-zero) …". */
export function csrWords(engine: {
  modes: readonly string[];
  smallModes: readonly string[];
  names: readonly string[];
  density: readonly number[];
}): string {
  const list = (modes: readonly string[]) => {
    const csr = engine.names.filter((_, i) => modes[i] === 'csr');
    const parts = csr.map((name, k) => {
      const pct = Math.round(100 * engine.density[engine.names.indexOf(name)]!);
      return k === 0 ? `${name} (${pct} % non-zero)` : `${name} (${pct} %)`;
    });
    return parts.length < 2
      ? parts.join('')
      : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  };
  const large = list(engine.modes);
  const small = list(engine.smallModes);
  if (large === small) {
    return large === ''
      ? 'dense kernels'
      : `CSR sparse kernel in ${large}, dense elsewhere (measured faster there)`;
  }
  return (
    `CSR sparse kernel in ${large || 'no layer'} at batch 32 and ${small || 'no layer'} at batch 1, ` +
    'dense elsewhere (each measured faster there)'
  );
}

/**
 * Plain float layers on our wasm f32 engine, each layer dense or CSR sparse as measured faster
 * at batch 32, or why it cannot run there.
 */
export async function floatTensorPath(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
): Promise<TensorPath | { reason: string }> {
  try {
    const engine = await floatPredictor(layers, inputShape, { chooseAtBatch: 32, smallBatch: 1 });
    if (isFallback(engine)) return { reason: engine.detail };
    const last = [...layers].reverse().find((l) => l.kind === 'dense');
    const outputSize = last?.kind === 'dense' ? last.kernelShape[1] : 0;
    if (outputSize === 0) return { reason: 'the model does not end in a dense layer' };
    const kernels = csrWords(engine);
    return {
      predict: tensorPredict(engine.predict, outputSize),
      path: `f32 wasm engine, ${kernels}, ${SIMD_WORDS[engine.path]}`,
    };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

/** A dynamically quantized model on our int8 wasm engine (grids set per batch), or why not. */
export async function dynamicTensorPath(
  model: DynamicModel,
): Promise<TensorPath | { reason: string }> {
  try {
    const engine = await prepareDynamicEngine(model);
    if (isFallback(engine)) return { reason: engine.detail };
    return {
      predict: tensorPredict(engine.run, model.outputSize),
      path:
        `int8 wasm engine, ${SIMD_WORDS[engine.path]}, activation grids from each batch ` +
        '(min/max in JavaScript, one engine call per layer)',
    };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}
