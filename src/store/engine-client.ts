// The page's handle on the engine worker. The worker is created lazily; switching backend
// starts a fresh one, so each worker only ever runs one backend (GPU backends in Chromium do
// not survive sharing a worker with another backend's start-up).
import * as Comlink from 'comlink';
import type { EngineApi } from '../worker/protocol';

let worker: Worker | null = null;
let engine: Comlink.Remote<EngineApi> | null = null;

/** The engine running in its worker (started on first use). */
export function getEngine(): Comlink.Remote<EngineApi> {
  if (!engine) {
    worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'engine',
    });
    engine = Comlink.wrap<EngineApi>(worker);
  }
  return engine;
}

/** The engine if its worker has started, else null (nothing to ask it yet). */
export function engineIfStarted(): Comlink.Remote<EngineApi> | null {
  return engine;
}

/** Ends the current worker (its models and data go with it); the next call starts a new one. */
export function restartEngine(): void {
  engine?.[Comlink.releaseProxy]();
  worker?.terminate();
  worker = null;
  engine = null;
}

/** Wraps a callback so the worker can call it across the boundary. */
export const callback = Comlink.proxy;
