// The page's handle on the engine worker. The worker is created lazily, once.
import * as Comlink from 'comlink';
import type { EngineApi } from '../worker/protocol';

let engine: Comlink.Remote<EngineApi> | null = null;

/** The engine running in its worker (started on first use). */
export function getEngine(): Comlink.Remote<EngineApi> {
  if (!engine) {
    const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), {
      type: 'module',
      name: 'engine',
    });
    engine = Comlink.wrap<EngineApi>(worker);
  }
  return engine;
}

/** Wraps a callback so the worker can call it across the boundary. */
export const callback = Comlink.proxy;
