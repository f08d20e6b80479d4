/**
 * Our own SIMD training kernels (kernels/assembly/training.ts) on tfjs-wasm: the module imports
 * tfjs's wasm memory and runs on its tensors in place, so a kernel call copies nothing. Loaded
 * once per worker by loadFusedTraining(), which also binds the module to the active wasm backend
 * and, where that memory is shared (tfjs's threaded build), measures whether a second thread
 * pays. Until then, or on another backend, fusedTrainingActive() is false.
 */
import * as tf from '@tensorflow/tfjs';
// Side effect: the wasm backend must be registered before kernels are registered for it.
import '@tensorflow/tfjs-backend-wasm';
import type { Fallback, KernelPath } from '../kernels/engine';
import { isFallback, loadEngine, readBytes } from '../kernels/engine';
import { registerFusedKernels, timeThreadChoice } from './fused-kernels';
import type { Bound, TrainingExports, WasmBackend } from './fused-kernels';
import { TrainThreads } from './train-threads';

export {
  ACT_GRAD,
  ACTIVATION_CODE,
  ADAM,
  CONV_FORWARD,
  FILTER_GRAD,
  INPUT_GRAD,
} from './fused-kernels';
export type { AdamAttrs, FusedActivation } from './fused-kernels';

interface Loaded {
  path: KernelPath;
  plain: WebAssembly.Module;
  shared: WebAssembly.Module;
}

/** What loaded: the SIMD path, the threads the kernels use, and a note saying so. */
export interface FusedTraining {
  path: KernelPath;
  threads: number;
  note: string;
}

let enabled = true;
let loaded: Loaded | null = null;
let pending: Promise<Loaded | Fallback> | null = null;
const bound = new WeakMap<WebAssembly.Memory, Bound>();
const threadNotes = new WeakMap<WebAssembly.Memory, { threads: number; why: string }>();

function moduleUrl(path: KernelPath, shared: boolean): URL {
  if (path === 'relaxed-simd') {
    return shared
      ? new URL('../kernels/build/train-relaxed-shared.wasm', import.meta.url)
      : new URL('../kernels/build/train-relaxed.wasm', import.meta.url);
  }
  return shared
    ? new URL('../kernels/build/train-simd-shared.wasm', import.meta.url)
    : new URL('../kernels/build/train-simd.wasm', import.meta.url);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function load(): Promise<Loaded | Fallback> {
  // The inference engine's loader decides relaxed vs fixed SIMD (with its self-test).
  const engine = await loadEngine();
  if (isFallback(engine)) return engine;
  try {
    const [plain, shared] = await Promise.all(
      [false, true].map(async (s) =>
        WebAssembly.compile(await readBytes(moduleUrl(engine.path, s))),
      ),
    );
    return { path: engine.path, plain: plain!, shared: shared! };
  } catch (error) {
    return { fallback: 'load-failed', detail: `training kernels: ${describe(error)}` };
  }
}

function memoryOf(backend: WasmBackend): WebAssembly.Memory | undefined {
  return backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
}

const isShared = (memory: WebAssembly.Memory) =>
  typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;

/** The module instance on this backend's memory (made on first use). */
export function boundTo(backend: WasmBackend): Bound {
  const memory = memoryOf(backend);
  if (!loaded || !memory) throw new Error('the fused training kernels are not loaded');
  let b = bound.get(memory);
  if (!b) {
    const module = isShared(memory) ? loaded.shared : loaded.plain;
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    b = { exports: instance.exports as unknown as TrainingExports, threads: null };
    bound.set(memory, b);
  }
  return b;
}

/** Cores the browser reports (1 when it does not say). */
function cores(): number {
  const nav = globalThis.navigator as { hardwareConcurrency?: number } | undefined;
  return nav?.hardwareConcurrency ?? 1;
}

/**
 * Where the memory is shared and there are two cores: start the second thread and keep it if
 * the kernels measure ≥ 15 % faster with it (the threaded and single-thread results are the same
 * bits, so the choice only changes speed).
 */
async function chooseThreads(backend: WasmBackend): Promise<{ threads: number; why: string }> {
  const memory = memoryOf(backend)!;
  const known = threadNotes.get(memory);
  if (known) return known;
  const b = boundTo(backend);
  let choice = { threads: 1, why: 'one thread: tfjs-wasm runs without shared memory here' };
  if (isShared(memory) && typeof Worker !== 'undefined' && cores() >= 2) {
    try {
      const control = (backend.wasm._malloc?.(4 * 32) ?? 0) >>> 0;
      if (control === 0) throw new Error('no room for the control block');
      b.threads = await TrainThreads.start(loaded!.shared, memory, control);
      const { one, two, same } = timeThreadChoice(b);
      if (!same) throw new Error('two threads gave other bits than one, so one is used');
      const speedup = one / two;
      b.threads.enabled = speedup >= 1.15;
      choice = b.threads.enabled
        ? { threads: 2, why: `2 threads (measured ${speedup.toFixed(2)}× one)` }
        : { threads: 1, why: `one thread (two measured ${speedup.toFixed(2)}× one)` };
    } catch (error) {
      b.threads?.stop();
      b.threads = null;
      choice = { threads: 1, why: `one thread (${describe(error)})` };
    }
  } else if (isShared(memory)) {
    choice = { threads: 1, why: 'one thread: one core, or no workers here' };
  }
  threadNotes.set(memory, choice);
  return choice;
}

/**
 * Loads the training kernels (once), registers them on the wasm backend and, when wasm is the
 * active backend, binds them to it and picks the threads: what runs, or why nothing does
 * (training then keeps tfjs's kernels).
 */
export async function loadFusedTraining(): Promise<FusedTraining | Fallback> {
  if (!enabled) return { fallback: 'disabled', detail: 'turned off for this worker' };
  pending ??= load();
  const result = await pending;
  if (isFallback(result)) {
    pending = null; // a later call may find the file
    return result;
  }
  loaded = result;
  registerFusedKernels(boundTo);
  const simd = result.path === 'relaxed-simd' ? 'relaxed SIMD' : 'SIMD';
  if (tf.getBackend() !== 'wasm') return { path: result.path, threads: 1, note: simd };
  const { threads, why } = await chooseThreads(tf.backend() as unknown as WasmBackend);
  return { path: result.path, threads, note: `${simd}, ${why}` };
}

/** Keeps this worker on tfjs's kernels (the bench's "before" figure); call before loading. */
export function disableFusedTraining(): void {
  enabled = false;
}

/** True when training may use the fused kernels: loaded, and the active backend is wasm. */
export function fusedTrainingActive(): boolean {
  if (!enabled || !loaded || tf.getBackend() !== 'wasm') return false;
  return memoryOf(tf.backend() as unknown as WasmBackend) !== undefined;
}
