import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

setFlagsFromString('--expose-gc');
/** V8's garbage collector, reachable once --expose-gc is set. */
const collectGarbage = runInNewContext('gc') as () => void;

/** A stand-in for one worker and its comlink remote: calls stay pending until answered. */
interface FakeWorker {
  terminated: boolean;
  remote: Record<string | symbol, unknown>;
  errorListeners: (() => void)[];
  pings: number;
  /** Whether ping() answers (a hung worker does not). */
  answers: boolean;
}
const workers: FakeWorker[] = [];

vi.mock('comlink', () => ({
  releaseProxy: Symbol.for('releaseProxy'),
  proxy: <T>(f: T) => f,
  wrap: (worker: { fake: FakeWorker }) => worker.fake.remote,
}));

class Worker {
  fake: FakeWorker;
  constructor() {
    const fake: FakeWorker = {
      terminated: false,
      errorListeners: [],
      pings: 0,
      answers: true,
      remote: {},
    };
    // A worker that ended, or hangs, never answers.
    const answer = <T>(value: T): Promise<T> =>
      fake.answers && !fake.terminated ? Promise.resolve(value) : new Promise(() => {});
    fake.remote = {
      ping: () => {
        fake.pings++;
        return answer(true);
      },
      lifeline: () => answer(true),
      runAll: () => new Promise(() => {}),
      memory: () => answer({ numTensors: 3, numBytes: 12 }),
      inspect: () => answer({ values: new Float64Array(1 << 16) }),
      [Symbol.for('releaseProxy')]: () => {},
    };
    this.fake = fake;
    workers.push(fake);
  }
  addEventListener(type: string, listener: () => void) {
    if (type === 'error') this.fake.errorListeners.push(listener);
  }
  terminate() {
    this.fake.terminated = true;
    // The browser frees the lock of a worker that ended.
    locks.release();
  }
}

/** Web Locks as far as engine-client uses them: one lock held by the worker, one waiter. */
const locks = {
  waiting: null as null | { grant: () => void; signal: AbortSignal },
  release() {
    const w = locks.waiting;
    locks.waiting = null;
    if (w && !w.signal.aborted) w.grant();
  },
  request: (_name: string, options: { signal: AbortSignal }, grant: () => void) => {
    locks.waiting = { grant, signal: options.signal };
    return new Promise(() => {});
  },
};

vi.stubGlobal('Worker', Worker);
vi.stubGlobal('navigator', { locks });

const client = await import('./engine-client');
const { ENGINE_STOPPED_ERROR, ENGINE_STOPPED_MESSAGE } = await import('./watchdog');

describe('engine-client', () => {
  let stopped: ReturnType<typeof vi.fn<() => void>>;
  let unsubscribe: () => void;

  beforeEach(() => {
    client.restartEngine();
    workers.length = 0;
    locks.waiting = null;
    stopped = vi.fn<() => void>();
    unsubscribe = client.onEngineStopped(stopped);
  });
  afterEach(() => {
    unsubscribe();
    vi.useRealTimers();
  });

  it('fails a pending call and tells the listeners when the worker dies, then starts afresh', async () => {
    const engine = client.getEngine();
    await vi.waitFor(() => expect(locks.waiting).not.toBeNull()); // the lifeline is held
    const run = engine.runAll({} as never, () => {});
    client.crashEngine(); // ends the worker only; the page learns it from the freed lock
    await expect(run).rejects.toMatchObject({
      name: ENGINE_STOPPED_ERROR,
      message: ENGINE_STOPPED_MESSAGE,
    });
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(client.engineIfStarted()).toBeNull();
    // A call through the dead handle fails at once instead of hanging.
    await expect(engine.memory()).rejects.toMatchObject({ name: ENGINE_STOPPED_ERROR });
    // The next call starts a fresh worker that answers.
    await expect(client.getEngine().memory()).resolves.toEqual({ numTensors: 3, numBytes: 12 });
    expect(workers).toHaveLength(2);
  });

  it('keeps nothing of a call that settled (the main-thread heap growth of the soak)', async () => {
    const engine = client.getEngine() as unknown as Record<string, () => Promise<object>>;
    const refs: WeakRef<object>[] = [];
    for (let i = 0; i < 5; i++) refs.push(new WeakRef(await engine.inspect!()));
    await new Promise((resolve) => setTimeout(resolve, 0));
    collectGarbage();
    expect(refs.filter((r) => r.deref() !== undefined)).toHaveLength(0);
  });

  it('says nothing when the page itself ends the worker (a backend switch)', async () => {
    client.getEngine();
    await vi.waitFor(() => expect(locks.waiting).not.toBeNull());
    client.restartEngine();
    expect(workers[0]!.terminated).toBe(true);
    await Promise.resolve();
    expect(stopped).not.toHaveBeenCalled();
  });

  it('gives up on a hung worker through the watchdog while a call is pending', async () => {
    vi.useFakeTimers();
    const run = client.getEngine().runAll({} as never, () => {});
    const failed = expect(run).rejects.toMatchObject({ name: ENGINE_STOPPED_ERROR });
    await vi.advanceTimersByTimeAsync(client.PING_INTERVAL_MS * 3);
    expect(workers[0]!.pings).toBeGreaterThanOrEqual(2);
    expect(stopped).not.toHaveBeenCalled();
    workers[0]!.answers = false; // hangs
    await vi.advanceTimersByTimeAsync(client.PING_INTERVAL_MS + client.HUNG_AFTER_MS);
    await failed;
    expect(stopped).toHaveBeenCalledTimes(1);
    expect(workers[0]!.terminated).toBe(true);
  });

  it('asks the worker after an error event, even when idle', async () => {
    vi.useFakeTimers();
    client.getEngine();
    const worker = workers[0]!;
    worker.errorListeners.forEach((l) => l());
    expect(worker.pings).toBe(1);
    await vi.advanceTimersByTimeAsync(client.HUNG_AFTER_MS * 2);
    expect(stopped).not.toHaveBeenCalled(); // it answered: alive
  });
});
