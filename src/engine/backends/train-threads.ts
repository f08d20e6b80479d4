/**
 * Two threads for our fused training kernels: every threaded kernel splits its batch into the
 * same two fixed halves whether one thread or two run it, and partial sums are added in the same
 * order, so the result has the same bits either way (a seed still fixes the weights). The second
 * thread is a worker with its own instance of the module on tfjs-wasm's shared memory.
 */
import type { ThreadInit, ThreadedKernel } from './train-thread-protocol';
import { CONTROL, THREADED_KERNELS } from './train-thread-protocol';

/** The two halves of a batch of n: [0, ⌈n/2⌉) and [⌈n/2⌉, n). */
export function halves(n: number): [[number, number], [number, number]] {
  const mid = Math.ceil(n / 2);
  return [
    [0, mid],
    [mid, n],
  ];
}

/** How long the caller waits for the helper before it calls it lost (a kernel takes ms). */
const LOST_AFTER_MS = 10_000;
const READY_WITHIN_MS = 5_000;

export class TrainThreads {
  private readonly ctl: Int32Array;
  private stopped = false;
  /** When false, run() does both halves on the calling thread (the measured choice). */
  enabled = true;

  private constructor(
    private readonly worker: Worker,
    memory: WebAssembly.Memory,
    control: number,
  ) {
    this.ctl = new Int32Array(memory.buffer, control, CONTROL.size);
  }

  /** Starts the helper on `memory` (shared) with the control block at byte `control`. */
  static async start(
    module: WebAssembly.Module,
    memory: WebAssembly.Memory,
    control: number,
  ): Promise<TrainThreads> {
    new Int32Array(memory.buffer, control, CONTROL.size).fill(0);
    const worker = new Worker(new URL('./train-thread.worker.ts', import.meta.url), {
      type: 'module',
      name: 'training-kernels',
    });
    const threads = new TrainThreads(worker, memory, control);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('the second thread did not start')),
        READY_WITHIN_MS,
      );
      worker.onmessage = () => {
        clearTimeout(timer);
        resolve();
      };
      worker.onerror = (event) => {
        clearTimeout(timer);
        reject(new Error(`the second thread failed: ${event.message}`));
      };
      worker.postMessage({ module, memory, control } satisfies ThreadInit);
    }).catch((error: unknown) => {
      worker.terminate();
      throw error;
    });
    return threads;
  }

  /**
   * kernel(args(b0, b1)) for both halves of a batch of n: the second half on the helper while
   * this thread does the first, or both here in order when disabled or stopped.
   */
  run(
    exports: Record<ThreadedKernel, (...args: number[]) => void>,
    kernel: ThreadedKernel,
    n: number,
    args: (b0: number, b1: number) => number[],
  ): void {
    const [first, second] = halves(n);
    if (!this.enabled || this.stopped || second[0] >= second[1]) {
      exports[kernel](...args(...first));
      exports[kernel](...args(...second));
      return;
    }
    const ctl = this.ctl;
    const values = args(...second);
    ctl[CONTROL.kernel] = THREADED_KERNELS.indexOf(kernel);
    ctl[CONTROL.argc] = values.length;
    values.forEach((v, i) => (ctl[CONTROL.args + i] = v));
    Atomics.store(ctl, CONTROL.done, 0);
    Atomics.store(ctl, CONTROL.failed, 0);
    Atomics.add(ctl, CONTROL.seq, 1);
    Atomics.notify(ctl, CONTROL.seq);
    exports[kernel](...args(...first));
    const until = performance.now() + LOST_AFTER_MS;
    while (Atomics.load(ctl, CONTROL.done) === 0) {
      if (Atomics.wait(ctl, CONTROL.done, 0, 100) === 'timed-out' && performance.now() > until) {
        this.stop();
        throw new Error('the second training thread stopped answering; training now uses one');
      }
    }
    if (Atomics.load(ctl, CONTROL.failed) === 1) {
      this.stop();
      throw new Error('a training kernel failed on the second thread; training now uses one');
    }
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    Atomics.store(this.ctl, CONTROL.seq, -1);
    Atomics.notify(this.ctl, CONTROL.seq);
    this.worker.terminate();
  }
}
