import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { BackendName } from '../../experiment/schema';
import { softwareGpuBackends } from './software-gpu';

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
}

let wasmConfigured = false;
const keepAlive: { gpu?: unknown } = {};

/** Tells the wasm backend where its binaries are served (URLs from the bundler). */
export function configureWasm(paths: Record<string, string> | string): void {
  if (wasmConfigured) return;
  if (typeof paths === 'string') setWasmPaths(paths);
  else setWasmPaths(paths);
  wasmConfigured = true;
}

/**
 * XNNPACK threads to ask the wasm backend for: max(⌊cores / 2⌋, min(cores, 2)). tfjs itself uses
 * ⌊logical cores / 2⌋ (it assumes two hyper-threads a core), which leaves a 2-core machine on 1.
 */
export function wasmThreadTarget(logicalCores: number): number {
  return Math.max(1, Math.floor(logicalCores / 2), Math.min(logicalCores, 2));
}

/**
 * Starts the wasm backend with wasmThreadTarget threads. setThreadsCount alone cannot go past
 * ⌊navigator.hardwareConcurrency / 2⌋ (the module reads it once as it loads and caps the pool
 * there), so while the module loads hardwareConcurrency reads 2·threads; then it is restored.
 */
async function withWasmThreads<T>(start: () => Promise<T>): Promise<T> {
  const nav = globalThis.navigator as { hardwareConcurrency?: number } | undefined;
  const cores = nav?.hardwareConcurrency;
  if (nav === undefined || cores === undefined) return start();
  const threads = wasmThreadTarget(cores);
  setThreadsCount(threads);
  if (threads <= Math.floor(cores / 2)) return start();
  const own = Object.getOwnPropertyDescriptor(nav, 'hardwareConcurrency');
  try {
    Object.defineProperty(nav, 'hardwareConcurrency', { value: 2 * threads, configurable: true });
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
    // Chromium can collect a worker's GPU instance while tfjs still uses its device; hold it.
    if (name === 'webgpu') keepAlive.gpu = (globalThis.navigator as { gpu?: unknown }).gpu;
    const ok = await (name === 'wasm'
      ? withWasmThreads(() => tf.setBackend(name))
      : tf.setBackend(name));
    if (!ok) return `${name} is not supported by this browser`;
    await tf.ready();
    await smokeTest();
    return null;
  } catch (error) {
    return `${name} failed to start (${error instanceof Error ? error.message : String(error)})`;
  }
}

/**
 * Activates the preferred backend, or the first that works in AUTO_ORDER; every failure on the
 * way becomes a notice, and cpu is the last resort.
 */
export async function activateBackend(preference: 'auto' | BackendName): Promise<BackendInfo> {
  const notices: string[] = [];
  let order: BackendName[] =
    preference === 'auto'
      ? AUTO_ORDER
      : [preference, ...AUTO_ORDER.filter((b) => b !== preference)];
  if (preference === 'auto') {
    const software = await softwareGpuBackends();
    order = [...AUTO_ORDER.filter((b) => !(software as Set<string>).has(b)), ...software];
    if (software.size > 0) {
      const names = [...software].join(' and ');
      notices.push(`${names} would run on a software renderer here, so wasm is tried first.`);
    }
  }
  for (const name of order) {
    const problem = await tryBackend(name);
    if (problem === null) {
      if (preference !== 'auto' && name !== preference) {
        notices.push(`Using ${name} instead of ${preference}.`);
      }
      return { active: name, available: listRegistered(), notices, ...wasmThreadInfo(name) };
    }
    notices.push(problem);
  }
  throw new Error(`No compute backend could start: ${notices.join('; ')}`);
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
