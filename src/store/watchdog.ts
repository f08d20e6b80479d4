// Notices a hung or dead engine worker: a call to a dead worker never settles (comlink waits
// for an answer that never comes), so while a call is pending the watchdog pings the worker
// and gives up on it when a ping stays unanswered too long. Idle, it does nothing.

/** Name of the error a call gets when its worker died or hung under it. */
export const ENGINE_STOPPED_ERROR = 'EngineStoppedError';
/** What such a call's error says (the notices and the run status build on it). */
export const ENGINE_STOPPED_MESSAGE =
  'The compute engine stopped (it crashed, ran out of memory or stopped answering)';

export interface WatchdogOptions {
  /** One round trip to the worker; any answer, even a rejection, means it is alive. */
  ping: () => Promise<unknown>;
  /** Pause between an answer and the next ping while a call is pending. */
  intervalMs: number;
  /** A ping unanswered this long means the worker is gone or hung. */
  timeoutMs: number;
  /** Called once, when the worker is judged gone; the watchdog stops then. */
  onDead: () => void;
}

/** Pings while calls are pending (after `intervalMs`, so short calls cost nothing). */
export class Watchdog {
  private pending = 0;
  private nextPing: ReturnType<typeof setTimeout> | null = null;
  private deadline: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;

  constructor(private readonly options: WatchdogOptions) {}

  /** Calls pending now (tracked and not yet settled). */
  get pendingCalls(): number {
    return this.pending;
  }

  /** Counts `call` as pending until it settles; returns it unchanged. */
  track<T>(call: Promise<T>): Promise<T> {
    if (this.stopped) return call;
    this.pending++;
    if (this.pending === 1 && !this.deadline) this.schedule();
    const settled = () => {
      this.pending--;
      if (this.pending === 0 && this.nextPing) {
        clearTimeout(this.nextPing);
        this.nextPing = null;
      }
    };
    call.then(settled, settled);
    return call;
  }

  /** Pings now, busy or not (e.g. after the worker reported an error); no-op if one is out. */
  check(): void {
    if (this.stopped || this.deadline) return;
    if (this.nextPing) clearTimeout(this.nextPing);
    this.nextPing = null;
    this.ping();
  }

  /** Stops pinging for good (the worker was ended on purpose, or judged dead). */
  stop(): void {
    this.stopped = true;
    if (this.nextPing) clearTimeout(this.nextPing);
    if (this.deadline) clearTimeout(this.deadline);
    this.nextPing = this.deadline = null;
  }

  private schedule(): void {
    this.nextPing = setTimeout(() => {
      this.nextPing = null;
      this.ping();
    }, this.options.intervalMs);
  }

  private ping(): void {
    this.deadline = setTimeout(() => {
      this.stop();
      this.options.onDead();
    }, this.options.timeoutMs);
    const answered = () => {
      if (this.stopped) return;
      if (this.deadline) clearTimeout(this.deadline);
      this.deadline = null;
      if (this.pending > 0) this.schedule();
    };
    let reply: Promise<unknown>;
    try {
      reply = this.options.ping();
    } catch {
      return; // nothing was sent (a closed port): the deadline decides
    }
    reply.then(answered, answered);
  }
}
