/**
 * The control block our training kernels' second thread and the calling thread share: Int32
 * slots in tfjs-wasm's shared memory. The caller writes a kernel index and its arguments, bumps
 * `seq` and notifies; the helper runs that kernel on its half of the batch, sets `done`.
 */
export const CONTROL = {
  /** Bumped once per task; −1 tells the helper to stop. */
  seq: 0,
  /** 1 once the helper finished the task of the current seq. */
  done: 1,
  /** 1 when the helper's kernel threw (a trap). */
  failed: 2,
  kernel: 3,
  argc: 4,
  args: 5,
  /** Slots in all (bytes = 4 · size). */
  size: 24,
} as const;

/** The kernels that split a batch across threads, by index. */
export const THREADED_KERNELS = [
  't_conv_forward',
  't_act_grad',
  't_filter_grad',
  't_input_grad',
] as const;
export type ThreadedKernel = (typeof THREADED_KERNELS)[number];

/** What the helper receives once: the compiled module, the shared memory, the block's offset. */
export interface ThreadInit {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  control: number;
}
