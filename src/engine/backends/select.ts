import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
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
    const ok = await tf.setBackend(name);
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
