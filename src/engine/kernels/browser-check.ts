/** Page side of the browser check: hands the cases to a module worker, resolves with its report. */
const worker = new Worker(new URL('./browser-check.worker.ts', import.meta.url), {
  type: 'module',
});

(globalThis as { runKernelCheck?: unknown }).runKernelCheck = (json: string, runs: number) =>
  new Promise((resolve) => {
    worker.onmessage = (event: MessageEvent) => resolve(event.data);
    worker.onerror = (event) => resolve({ error: event.message });
    worker.postMessage({ json, runs });
  });
