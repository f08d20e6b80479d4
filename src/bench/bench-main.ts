// The bench page: runs every backend in its own worker, one after another (2 cores: never in
// parallel), time-boxed, watching the main thread for long tasks; publishes window.benchResults.
import * as Comlink from 'comlink';
import type { TrainUpdate } from '../worker/protocol';
import type {
  BackendReport,
  BenchResults,
  BenchTarget,
  BenchWorkerApi,
  Outcome,
  ThroughputResult,
} from './protocol';
import { cannotTrainReason, formatMarkdown, stepsForDuration } from './report';

declare global {
  interface Window {
    benchResults?: BenchResults;
    benchError?: string;
  }
}

const BATCH = 128;
/** Throughput: at most this many timed steps, or this long, after the warm-up step. */
const THROUGHPUT = { maxSteps: 60, maxMs: 15_000 };
/** Overhead: pairs of back-to-back runs (bare·app, app·bare, …) of about runMs each. */
const OVERHEAD = { runMs: 1_500, pairs: 8, minSteps: 5, maxSteps: 40 };
/** cpu is compared too when it is at least this fast (else the runs would take minutes). */
const CPU_OVERHEAD_MIN_SPS = 150;
const MNIST_COUNT = (Math.max(THROUGHPUT.maxSteps, OVERHEAD.maxSteps) + 1) * BATCH;

interface Plan {
  target: BenchTarget;
  overhead: 'yes' | 'if-fast' | 'no';
  latency: boolean;
  /** Wall-time box for this backend, ms: what is not done by then is reported as timed out. */
  budgetMs: number;
}

const PLANS: Plan[] = [
  {
    target: { label: 'wasm (stock)', backend: 'wasm', kernels: false, fused: false },
    overhead: 'no',
    latency: true,
    budgetMs: 30_000,
  },
  {
    // The figure before our fused kernels: tfjs's kernels with the app's overrides.
    target: { label: 'wasm + kernels', backend: 'wasm', kernels: true, fused: false },
    overhead: 'no',
    latency: false,
    budgetMs: 30_000,
  },
  {
    target: { label: 'wasm + fused kernels', backend: 'wasm', kernels: true, fused: true },
    overhead: 'yes',
    latency: true,
    budgetMs: 80_000,
  },
  {
    target: { label: 'cpu', backend: 'cpu', kernels: false, fused: false },
    overhead: 'if-fast',
    latency: false,
    budgetMs: 40_000,
  },
  {
    target: { label: 'webgl', backend: 'webgl', kernels: false, fused: false },
    overhead: 'no',
    latency: false,
    budgetMs: 50_000,
  },
  {
    target: { label: 'webgpu', backend: 'webgpu', kernels: false, fused: false },
    overhead: 'no',
    latency: false,
    budgetMs: 60_000,
  },
];

const logElement = document.getElementById('log');
function log(line: string): void {
  console.log(`[bench] ${line}`);
  if (logElement) logElement.textContent += `${line}\n`;
}

const longTasks: PerformanceEntry[] = [];
try {
  new PerformanceObserver((list) => longTasks.push(...list.getEntries())).observe({
    type: 'longtask',
  });
} catch {
  log('this browser does not report long tasks');
}

const sleep = (ms: number) => new Promise((resolve) => self.setTimeout(resolve, ms));

/** Blocks the main thread for 80 ms on purpose, and tells whether the observer reported it. */
async function longTaskObserverWorks(): Promise<boolean> {
  await sleep(0);
  const until = performance.now() + 80;
  while (performance.now() < until) {
    // busy on purpose
  }
  await sleep(200);
  const seen = longTasks.length > 0;
  longTasks.length = 0;
  return seen;
}

class TimedOut extends Error {}

/** Runs `task`, turning an error into a reason; every task also races the backend's deadline. */
async function attempt<T>(task: Promise<T>, deadline: Promise<never>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await Promise.race([task, deadline]) };
  } catch (error) {
    if (error instanceof TimedOut) return { ok: false, reason: error.message };
    return { ok: false, reason: cannotTrainReason(error) };
  }
}

function overheadSkip(plan: Plan, throughput: Outcome<ThroughputResult>): string | null {
  if (plan.overhead === 'no') return 'not measured';
  if (!throughput.ok) return `not measured (throughput: ${throughput.reason})`;
  const sps = throughput.value.samplesPerSec;
  if (plan.overhead === 'if-fast' && sps < CPU_OVERHEAD_MIN_SPS)
    return `skipped: ${Math.round(sps)} samples/s is too slow for ${OVERHEAD.pairs * 2} runs here`;
  return null;
}

async function runPlan(plan: Plan, onUpdate: (update: TrainUpdate) => void) {
  const { target } = plan;
  const started = performance.now();
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), {
    type: 'module',
    name: `bench-${target.backend}`,
  });
  const api = Comlink.wrap<BenchWorkerApi>(worker);
  let timer = 0;
  const deadline = new Promise<never>((_, reject) => {
    const message = `timed out (${plan.budgetMs / 1000} s box for this backend)`;
    timer = self.setTimeout(() => reject(new TimedOut(message)), plan.budgetMs);
  });
  deadline.catch(() => {});
  const report: BackendReport = { target, start: { ok: false, reason: 'not started' }, wallMs: 0 };
  try {
    log(`${target.label}: starting`);
    const start = await attempt(api.start(target), deadline);
    report.start =
      start.ok && start.value.active !== target.backend
        ? { ok: false, reason: `unavailable (${start.value.notices.join('; ')})` }
        : start;
    if (!report.start.ok) return report;
    const loaded = await attempt(api.loadMnist(MNIST_COUNT), deadline);
    if (!loaded.ok) {
      report.throughput = { ok: false, reason: `MNIST did not load: ${loaded.reason}` };
      return report;
    }
    log(
      `${target.label}: ${loaded.value.count} MNIST examples in ${Math.round(loaded.value.loadMs)} ms`,
    );
    if (target.backend === 'wasm' && !target.kernels && report.start.value.hasConvFilterGrad) {
      // Something registered the custom kernels in this worker: it would not measure stock wasm.
      report.throughput = { ok: false, reason: 'not stock: custom kernels registered anyway' };
      return report;
    }
    const throughput = await attempt(
      api.throughput(THROUGHPUT.maxSteps, THROUGHPUT.maxMs, onUpdate),
      deadline,
    );
    report.throughput = throughput;
    log(`${target.label}: throughput ${JSON.stringify(throughput)}`);
    const skip = overheadSkip(plan, throughput);
    if (skip === null && throughput.ok) {
      const steps = stepsForDuration(throughput.value.samplesPerSec, BATCH, OVERHEAD.runMs, {
        min: OVERHEAD.minSteps,
        max: OVERHEAD.maxSteps,
      });
      report.overhead = await attempt(api.overhead(steps, OVERHEAD.pairs, onUpdate), deadline);
      log(`${target.label}: overhead ${JSON.stringify(report.overhead)}`);
    } else if (plan.overhead !== 'no') report.overhead = { ok: false, reason: skip ?? '' };
    if (plan.latency) {
      report.latency = await attempt(api.latency(), deadline);
      log(`${target.label}: latency ${JSON.stringify(report.latency)}`);
    }
    return report;
  } finally {
    self.clearTimeout(timer);
    api[Comlink.releaseProxy]();
    worker.terminate();
    report.wallMs = performance.now() - started;
    log(`${target.label}: done in ${Math.round(report.wallMs)} ms`);
  }
}

async function main(): Promise<void> {
  const observed = await longTaskObserverWorks();
  const started = performance.now();
  const startedAt = new Date().toISOString();
  let messagesReceived = 0;
  const onUpdate = Comlink.proxy((_update: TrainUpdate) => {
    messagesReceived++;
  });
  const backends: BackendReport[] = [];
  for (const plan of PLANS) backends.push(await runPlan(plan, onUpdate));
  log(`progress messages received by the page: ${messagesReceived}`);
  const durations = longTasks.map((t) => t.duration);
  const kernels = backends.find((b) => b.start.ok && b.start.value.kernelsFunction);
  const results: Omit<BenchResults, 'markdown'> = {
    startedAt,
    userAgent: navigator.userAgent,
    hardwareConcurrency: navigator.hardwareConcurrency,
    crossOriginIsolated: self.crossOriginIsolated,
    kernelsFunction: (kernels?.start.ok && kernels.start.value.kernelsFunction) || 'none',
    batchSize: BATCH,
    backends,
    longTasks: {
      observed,
      count: durations.length,
      maxMs: Math.max(0, ...durations),
      totalMs: durations.reduce((a, b) => a + b, 0),
    },
    totalMs: performance.now() - started,
  };
  window.benchResults = { ...results, markdown: formatMarkdown(results) };
  log('finished');
}

main().catch((error: unknown) => {
  window.benchError = error instanceof Error ? (error.stack ?? error.message) : String(error);
  log(`failed: ${window.benchError}`);
});
