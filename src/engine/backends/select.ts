import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../../experiment/schema';
import type { BackendThroughput } from './autoselect';
import { benchmarkTrainingBackends, pickFastest } from './autoselect';
import { isFallback } from '../kernels/engine';
import { softwareGpuBackends } from './software-gpu';
import { loadFusedTraining } from './wasm-fused-training';
import { registerDurableWebGpu } from './webgpu';

/** Backends in the order "auto" tries them on a machine with a real GPU. */
export const AUTO_ORDER: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export interface BackendInfo {
  active: BackendName;
  /** Backends this build registers: the user may pick any (one that fails falls back). */
  available: BackendName[];
  /** What went wrong on the way, in words a student can act on. */
  notices: string[];
  /** wasm: threads in use (1 without cross-origin isolation). */
  wasmThreads?: number;
  /** wasm: which kernels train ("fused wasm kernels, relaxed SIMD", or tfjs's own and why). */
  trainingKernels?: string;
  /** Training throughput of each candidate, when "auto" just measured them (fastest first). */
  measured?: BackendThroughput[];
}

/** The backend "auto" chose by measurement on this device, remembered by the page. */
export interface MeasuredChoice {
  backend: BackendName;
  samplesPerSec: number;
}

let wasmConfigured = false;
registerDurableWebGpu();

/** Tells the wasm backend where its binaries are served (URLs from the bundler). */
export function configureWasm(paths: Record<string, string> | string): void {
  if (wasmConfigured) return;
  if (typeof paths === 'string') setWasmPaths(paths);
  else setWasmPaths(paths);
  wasmConfigured = true;
}

let requestedWasmThreads: number | undefined;

/**
 * Asks for `threads` XNNPACK threads when wasm first starts (no effect once it has started).
 * Without it tfjs uses ⌊logical cores / 2⌋, 1 on a 2-core machine. Measured there (reference CNN,
 * batch 128): 2 threads ran ~15% faster on an idle machine but ~30% slower while another process
 * kept a core busy, so the default stays tfjs's.
 */
export function requestWasmThreads(threads: number): void {
  requestedWasmThreads = Math.max(1, Math.floor(threads));
}

/**
 * Logical cores the wasm module must see as it loads to allow `threads` threads: max(cores,
 * 2·threads). It reads navigator.hardwareConcurrency once and caps its pool at half of it,
 * however many threads setThreadsCount asks for.
 */
export function coresToReport(threads: number, logicalCores: number): number {
  return Math.max(logicalCores, 2 * threads);
}

/** Runs start() (which loads the wasm module) with the requested threads, if any. */
async function withWasmThreads<T>(start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as { hardwareConcurrency?: number } | undefined;
  const cores = nav?.hardwareConcurrency;
  const threads = requestedWasmThreads;
  if (threads === undefined || nav === undefined || cores === undefined) return start();
  setThreadsCount(threads);
  const report = coresToReport(threads, cores);
  if (report === cores) return start();
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { value: report, configurable: true });
  } catch {
    return start();
  }
  try {
    return await start();
  } finally {
    // Browsers define it as a getter on the prototype: deleting the override brings that back.
    if (own) Object.defineProperty(nav, 'hardwareConcurrency', own);
    else delete nav.hardwareConcurrency;
  }
}

/** Runs a tiny computation and reads it back: a backend that "starts" can still fail here. */
async function smokeTest(): Promise<void> {
  const t = tf.tidy(() => tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum());
  const [value] = await t.data();
  t.dispose();
  if (value !== 64) throw new Error(`computed ${value} for 64`);
}

async function tryBackend(name: BackendName): Promise<string | null> {
  try {
    const ok = await (name === 'wasm'
      ? withWasmThreads(() => tf.setBackend(name))
      : tf.setBackend(name));
    if (!ok) return `${name} is not supported by this browser`;
    await tf.ready();
    await smokeTest();
    // Before any training step (the auto choice times some): every step then takes one path.
    if (name === 'wasm') await loadFusedTraining();
    return null;
  } catch (error) {
    return `${name} failed to start (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Activates the preferred backend, or the first that works in AUTO_ORDER; every failure on the
 * way becomes a notice, and cpu is the last resort.
 */
export async function activateBackend(
  preference: 'auto' | BackendName,
  cached: MeasuredChoice | null = null,
): Promise<BackendInfo> {
  const notices: string[] = [];
  let order: BackendName[] =
    preference === 'auto'
      ? AUTO_ORDER
      : [preference, ...AUTO_ORDER.filter((b) => b !== preference)];
  let measured: BackendThroughput[] | undefined;
  if (preference === 'auto') {
    const software = await softwareGpuBackends();
    const real = AUTO_ORDER.filter((b) => !(software as Set<string>).has(b));
    order = [...real, ...software];
    if (software.size > 0) {
      const names = [...software].join(' and ');
      notices.push(`${names} would run on a software renderer here, so it is tried last.`);
    }
    if (cached && real.includes(cached.backend)) {
      order = [cached.backend, ...order.filter((b) => b !== cached.backend)];
    } else {
      // First use on this device: time a few training steps on each real candidate.
      measured = await benchmarkTrainingBackends(real, {
        activate: async (b) => (await tryBackend(b)) === null,
      });
      const fastest = pickFastest(measured);
      if (fastest) order = [fastest.backend, ...order.filter((b) => b !== fastest.backend)];
    }
  }
  for (const name of order) {
    const problem = await tryBackend(name);
    if (problem === null) {
      let trainingKernels: string | undefined;
      if (name === 'wasm') {
        notices.push(...(await wasmBinaryNotices()));
        trainingKernels = await fusedTrainingNote(notices);
      }
      if (preference !== 'auto' && name !== preference) {
        notices.push(`Using ${name} instead of ${preference}.`);
      }
      return {
        active: name,
        available: listRegistered(),
        notices,
        ...wasmThreadInfo(name),
        ...(trainingKernels ? { trainingKernels } : {}),
        ...(measured ? { measured } : {}),
      };
    }
    notices.push(problem);
  }
  throw new Error(`No compute backend could start: ${notices.join('; ')}`);
}

/**
 * What the wasm backend had to do without: no SIMD means the plain binary (slower), no threads
 * means one core (the page is not cross-origin isolated, or the browser lacks them).
 */
export async function wasmBinaryNotices(
  flag: (name: string) => Promise<unknown> = (name) => tf.env().getAsync(name),
): Promise<string[]> {
  const out: string[] = [];
  if (!(await flag('WASM_HAS_SIMD_SUPPORT'))) {
    out.push(
      'This browser has no WebAssembly SIMD: wasm runs its plain binary, several times slower.',
    );
  }
  if (!(await flag('WASM_HAS_MULTITHREAD_SUPPORT'))) {
    out.push(
      'WebAssembly threads are unavailable (the page must be cross-origin isolated): wasm uses one core.',
    );
  }
  return out;
}

/** Loads our fused training kernels before any training, so every run takes the same path. */
async function fusedTrainingNote(notices: string[]): Promise<string> {
  const fused = await loadFusedTraining();
  if (!isFallback(fused)) return `fused wasm kernels, ${fused.note}`;
  notices.push(
    `Our fused wasm training kernels did not load (${fused.detail}): training uses tfjs's kernels, about half as fast.`,
  );
  return "tfjs's wasm kernels";
}

function wasmThreadInfo(name: BackendName): { wasmThreads?: number } {
  if (name !== 'wasm') return {};
  try {
    return { wasmThreads: getThreadsCount() };
  } catch {
    return {};
  }
}

function listRegistered(): BackendName[] {
  const registered = Object.keys(tf.engine().registryFactory);
  return AUTO_ORDER.filter((b) => registered.includes(b));
}
