/** Thrown when the user cancels a run; callers treat it as a normal end, not a failure. */
export class RunCancelledError extends Error {
  constructor() {
    super('The run was cancelled.');
    this.name = 'RunCancelledError';
  }
}

/** Thrown when the loss stops being a finite number. */
export class TrainingDivergedError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly learningRate: number,
  ) {
    super(
      `The loss became NaN or infinite at epoch ${epoch + 1}, step ${step + 1}: training diverged. ` +
        `Try a lower learning rate (for example ${formatRate(learningRate / 10)} instead of ${formatRate(learningRate)}).`,
    );
    this.name = 'TrainingDivergedError';
  }
}

function formatRate(rate: number): string {
  return Number(rate.toPrecision(2)).toString();
}

/** Resolves on the next macrotask, letting queued messages (pause, cancel) run. */
function nextTask(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

/**
 * Cancel and pause for a running loop: the loop checks it between batches. Backends whose
 * reads resolve at once (cpu) never return to the event loop by themselves, so a checkpoint
 * yields a macrotask every `yieldEveryMs` for messages to get through.
 */
export class RunControl {
  cancelled = false;
  private lastYield = 0;

  constructor(
    private readonly yieldEveryMs = 40,
    private readonly now: () => number = () => performance.now(),
  ) {}

  private pausedResolvers: (() => void)[] | null = null;

  get paused(): boolean {
    return this.pausedResolvers !== null;
  }

  cancel(): void {
    this.cancelled = true;
    this.resume();
  }

  pause(): void {
    if (!this.pausedResolvers) this.pausedResolvers = [];
  }

  resume(): void {
    const waiting = this.pausedResolvers;
    this.pausedResolvers = null;
    waiting?.forEach((resolve) => resolve());
  }

  /** Resolves at once when running, or when resumed; throws when cancelled. */
  async checkpoint(): Promise<void> {
    if (this.now() - this.lastYield >= this.yieldEveryMs) {
      await nextTask();
      this.lastYield = this.now();
    }
    const waiting = this.pausedResolvers;
    if (waiting) await new Promise<void>((resolve) => waiting.push(resolve));
    if (this.cancelled) throw new RunCancelledError();
  }
}
