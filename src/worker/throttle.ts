import type { EpochRecord, StepRecord, TrainUpdate } from './protocol';

/**
 * Collects step and epoch records and hands them on in batches, at most one batch per
 * `intervalMs` (100 ms → ~10 messages a second), so charts stay cheap whatever the step rate.
 */
export class ProgressBatcher {
  private steps: StepRecord[] = [];
  private epochs: EpochRecord[] = [];
  private lastFlush = -Infinity;

  constructor(
    private readonly send: (update: TrainUpdate) => void,
    private readonly intervalMs = 100,
    private readonly now: () => number = () => performance.now(),
  ) {}

  step(record: StepRecord): void {
    this.steps.push(record);
    this.maybeFlush();
  }

  epoch(record: EpochRecord): void {
    this.epochs.push(record);
    this.flush();
  }

  /** Sends whatever is pending, now. */
  flush(): void {
    if (this.steps.length === 0 && this.epochs.length === 0) return;
    const update = { steps: this.steps, epochs: this.epochs };
    this.steps = [];
    this.epochs = [];
    this.lastFlush = this.now();
    this.send(update);
  }

  private maybeFlush(): void {
    if (this.now() - this.lastFlush >= this.intervalMs) this.flush();
  }
}
