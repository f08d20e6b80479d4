// The second thread of our fused training kernels: its own instance of the training module on
// tfjs-wasm's shared memory, waiting on the control block for one kernel call at a time.
import type { ThreadInit } from './train-thread-protocol';
import { CONTROL, THREADED_KERNELS } from './train-thread-protocol';

type Kernel = (...args: number[]) => void;

self.onmessage = (event: MessageEvent<ThreadInit>) => {
  const { module, memory, control } = event.data;
  const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as Record<
    string,
    Kernel
  >;
  const ctl = new Int32Array(memory.buffer, control, CONTROL.size);
  let seen = Atomics.load(ctl, CONTROL.seq);
  self.postMessage('ready');
  for (;;) {
    Atomics.wait(ctl, CONTROL.seq, seen);
    const seq = Atomics.load(ctl, CONTROL.seq);
    if (seq < 0) return;
    if (seq === seen) continue;
    seen = seq;
    const name = THREADED_KERNELS[Atomics.load(ctl, CONTROL.kernel)];
    const argc = Atomics.load(ctl, CONTROL.argc);
    const args = Array.from(ctl.subarray(CONTROL.args, CONTROL.args + argc));
    try {
      if (name === undefined) throw new Error('unknown kernel');
      exports[name]!(...args);
    } catch {
      Atomics.store(ctl, CONTROL.failed, 1);
    }
    Atomics.store(ctl, CONTROL.done, 1);
    Atomics.notify(ctl, CONTROL.done);
  }
};
