import type { EpochRecord, RunEvent, StepRecord, TrainUpdate } from './protocol';

/**
 * Collects step and epoch records and hands them on in batches, at most one batch per
 * `intervalMs` (100 ms → ~10 messages a second), so charts stay cheap whatever the step rate.
 */
export class ProgressBatcher {
  private steps: StepRecord[] = [];
  private epochs: EpochRecord[] = [];
  private events: RunEvent[] = [];
  private source = 'teacher';
  private lastFlush = -Infinity;
  /** The reply to the last batch sent, when `send` gives one (a Comlink callback does). */
  private lastSend: Promise<unknown> | null = null;

  constructor(
    private readonly send: (update: TrainUpdate) => unknown,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** A training step of `source` (the teacher or a variant id). */
  step(record: StepRecord, source = 'teacher'): void {
    // One batch carries one source: a change of source sends what came before.
    if (source !== this.source) {
      this.flush();
      this.source = source;
    }
    this.steps.push(record);
    this.maybeFlush();
  }

  /** Stage and result events go out at once (they are rare). */
  event(event: RunEvent): void {
    this.events.push(event);
    if (event.kind !== 'progress') this.flush();
    else this.maybeFlush();
  }

  epoch(record: EpochRecord): void {
    this.epochs.push(record);
    this.flush();
  }

  /** Sends whatever is pending, now. */
  flush(): void {
    if (this.steps.length === 0 && this.epochs.length === 0 && this.events.length === 0) return;
    const update = {
      source: this.source,
      steps: this.steps,
      epochs: this.epochs,
      events: this.events,
    };
    this.steps = [];
    this.epochs = [];
    this.events = [];
    this.lastFlush = this.now();
    const sent = this.send(update);
    if (sent instanceof Promise) this.lastSend = sent;
  }

  /**
   * Resolves once the receiver has handled every batch sent so far: the batches travel on their
   * own port, in order, so the last one's reply comes after all the others. A call that returns
   * only after this cannot overtake its own last events (its reply travels on another port).
   */
  async delivered(): Promise<void> {
    await this.lastSend?.catch(() => {});
  }

  private maybeFlush(): void {
    if (this.now() - this.lastFlush >= this.intervalMs) this.flush();
  }
}
