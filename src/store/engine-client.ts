// The page's handle on the engine worker. The worker is created lazily; switching backend
// starts a fresh one, so each worker only ever runs one backend (GPU backends in Chromium do
// not survive sharing a worker with another backend's start-up).
//
// A worker can also die on its own (killed, out of memory, a crash in the browser) or hang, and
// a comlink call to it then never settles. Two signals notice it: the worker holds a Web Lock
// for as long as it lives (the browser frees it the moment the worker is gone), and while any
// call is pending a watchdog pings it (a hung worker answers no ping). Either way every pending
// call rejects with an EngineStoppedError and the listeners of onEngineStopped hear of it; the
// next getEngine() starts a fresh worker.
import * as Comlink from 'comlink';
import type { EngineApi } from '../worker/protocol';
import { ENGINE_STOPPED_ERROR, ENGINE_STOPPED_MESSAGE, Watchdog } from './watchdog';

/** Pause between pings while a call is pending. */
export const PING_INTERVAL_MS = 2_000;
/**
 * A ping unanswered this long means a hung worker. Generous: a busy worker answers between
 * batches, but a long measurement or a first GPU shader compile keeps it silent for a while (the
 * longest silences measured on the 2-core machine: 2.8 s for the default experiment on cpu,
 * 1.6 s for auto's backend timing, 1.2 s on webgl, 0.7 s on wasm). A worker that is gone is
 * noticed at once through its lock, not through this.
 */
export const HUNG_AFTER_MS = 20_000;

interface Running {
  worker: Worker;
  remote: Comlink.Remote<EngineApi>;
  /** `remote` with every call watched and raced against the worker's death. */
  api: Comlink.Remote<EngineApi>;
  watchdog: Watchdog;
  /** Withdraws the page's request for the worker's lock. */
  lock: AbortController;
}

let current: Running | null = null;
const stoppedListeners = new Set<() => void>();

function stoppedError(): Error {
  const error = new Error(ENGINE_STOPPED_MESSAGE);
  error.name = ENGINE_STOPPED_ERROR;
  return error;
}

function end(running: Running): void {
  running.watchdog.stop();
  running.lock.abort();
  running.remote[Comlink.releaseProxy]();
  running.worker.terminate();
}

/**
 * Every method call of `remote` tracked by `watchdog` and rejected by `dead` (at once once the
 * worker is gone: a dead worker never answers). Each pending call is held only until it settles:
 * racing every call against one long-lived "died" promise kept each call's result reachable
 * from that promise for the worker's whole life (the soak's main-thread heap growth).
 */
function watched(
  remote: Comlink.Remote<EngineApi>,
  watchdog: Watchdog,
  dead: Pending,
): Comlink.Remote<EngineApi> {
  const methods = remote as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  const call = (key: string, args: unknown[]) => {
    if (dead.gone) return Promise.reject(stoppedError());
    return watchdog.track(
      new Promise<unknown>((resolve, reject) => {
        dead.rejecters.add(reject);
        methods[key]!(...args)
          .then(resolve, reject)
          .finally(() => dead.rejecters.delete(reject));
      }),
    );
  };
  return new Proxy({} as Comlink.Remote<EngineApi>, {
    get: (_target, key) =>
      typeof key === 'string' && key !== 'then'
        ? (...args: unknown[]) => call(key, args)
        : Reflect.get(remote, key),
  });
}

/** The calls of one worker still waiting for an answer, and whether it is gone. */
interface Pending {
  gone: boolean;
  rejecters: Set<(error: Error) => void>;
}

function start(): Running {
  const worker = new Worker(new URL('../worker/engine.worker.ts', import.meta.url), {
    type: 'module',
    name: 'engine',
  });
  const remote = Comlink.wrap<EngineApi>(worker);
  const dead: Pending = { gone: false, rejecters: new Set() };
  const stopped = () => {
    if (current !== running) return; // ended on purpose, or already noticed
    dead.gone = true;
    current = null;
    end(running);
    for (const reject of [...dead.rejecters]) reject(stoppedError());
    dead.rejecters.clear();
    for (const listener of [...stoppedListeners]) listener();
  };
  const watchdog = new Watchdog({
    ping: () => remote.ping(),
    intervalMs: PING_INTERVAL_MS,
    timeoutMs: HUNG_AFTER_MS,
    onDead: stopped,
  });
  const running: Running = {
    worker,
    remote,
    api: watched(remote, watchdog, dead),
    watchdog,
    lock: new AbortController(),
  };
  // An uncaught error in the worker may or may not have ended it: ask.
  worker.addEventListener('error', () => watchdog.check());
  const name = `compression-playground-engine-${Date.now()}-${Math.random().toString(36).slice(2)}`;
  // Once the worker holds its lock, the page's request for it is granted when the worker ends.
  remote
    .lifeline(name)
    .then((held) => {
      if (!held || current !== running || typeof navigator.locks === 'undefined') return;
      return navigator.locks.request(name, { signal: running.lock.signal }, stopped);
    })
    .catch(() => {}); // aborted when ended on purpose
  return running;
}

/** The engine running in its worker (started on first use). */
export function getEngine(): Comlink.Remote<EngineApi> {
  current ??= start();
  return current.api;
}

/** The engine if its worker has started, else null (nothing to ask it yet). */
export function engineIfStarted(): Comlink.Remote<EngineApi> | null {
  return current?.api ?? null;
}

/** Ends the current worker (its models and data go with it); the next call starts a new one. */
export function restartEngine(): void {
  const running = current;
  current = null;
  if (running) end(running);
}

/** Calls `listener` whenever the worker dies or hangs on its own; returns the unsubscribe. */
export function onEngineStopped(listener: () => void): () => void {
  stoppedListeners.add(listener);
  return () => stoppedListeners.delete(listener);
}

/** For tests: ends the worker without telling the page, as a crash would. */
export function crashEngine(): void {
  current?.worker.terminate();
}

/** Wraps a callback so the worker can call it across the boundary. */
export const callback = Comlink.proxy;
