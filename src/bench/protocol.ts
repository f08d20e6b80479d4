// Types shared by the bench page and its worker (and read back by scripts/bench.mjs as JSON).
import type { BackendName } from '../experiment/schema';
import type { TrainUpdate } from '../worker/protocol';

/** What a bench worker runs on: a backend, and for wasm whether the custom kernels are in. */
export interface BenchTarget {
  /** Row label in the report, e.g. 'wasm + kernels'. */
  label: string;
  backend: BackendName;
  /** Register the app's wasm training kernels before activating the backend. */
  kernels: boolean;
  /** wasm: train through our fused kernels (conv-pool blocks, Adam), as the app does. */
  fused: boolean;
}

export interface StartInfo {
  /** The backend that is active (may differ from the one asked for when it failed). */
  active: BackendName;
  notices: string[];
  /** wasm: threads in use. */
  wasmThreads?: number;
  /** wasm: whether Conv2DBackpropFilter is registered (false = stock tfjs-backend-wasm). */
  hasConvFilterGrad?: boolean;
  /** The function that registered the custom kernels, when the target asked for them. */
  kernelsFunction?: string;
  /** wasm: which kernels trained (BackendInfo.trainingKernels). */
  trainingKernels?: string;
}

export interface ThroughputResult {
  /** Samples per second over the timed steps (after the warm-up step). */
  samplesPerSec: number;
  /** Steps timed, warm-up step excluded. */
  steps: number;
  /** Wall time of the timed steps, ms. */
  timedMs: number;
  /** The first, untimed step (kernel set-up, shader compilation, optimizer slots), ms. */
  warmupMs: number;
}

export interface OverheadResult {
  /** Median over pairs of app-loop time / bare-loop time on the same steps (1 = no overhead). */
  ratio: number;
  /** app/bare of each pair, run back to back (so both saw about the same machine load). */
  pairRatios: number[];
  /** min app time / min bare time: robust when other processes add time to some runs. */
  minRatio: number;
  /** Σ app time / Σ bare time. */
  sumRatio: number;
  /** Steps in each run. */
  steps: number;
  appMs: number[];
  bareMs: number[];
  /** Progress messages the app loop posted to the page over all its runs. */
  messages: number;
  /** Live tensors after minus before (0 = no leak). */
  leakedTensors: number;
}

export interface LatencyResult {
  batch1MedianMs: number;
  batch1P90Ms: number;
  batch32MedianMs: number;
}

/** One line of the report: a measure that produced a number, or why it did not. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export interface BackendReport {
  target: BenchTarget;
  start: Outcome<StartInfo>;
  throughput?: Outcome<ThroughputResult>;
  overhead?: Outcome<OverheadResult>;
  latency?: Outcome<LatencyResult>;
  /** Wall time spent on this backend, ms. */
  wallMs: number;
}

export interface BenchResults {
  startedAt: string;
  userAgent: string;
  hardwareConcurrency: number;
  crossOriginIsolated: boolean;
  /** The function that registers the wasm training kernels. */
  kernelsFunction: string;
  batchSize: number;
  backends: BackendReport[];
  /**
   * Main-thread tasks over 50 ms during the bench; `observed` = a deliberate 80 ms task before
   * the bench was seen, so a count of 0 means none rather than a blind observer.
   */
  longTasks: { observed: boolean; count: number; maxMs: number; totalMs: number };
  totalMs: number;
  /** The report as Markdown (what `npm run bench` prints). */
  markdown: string;
}

/** The bench worker's API (through comlink). */
export interface BenchWorkerApi {
  start(target: BenchTarget): Promise<StartInfo>;
  /** Loads the first `count` MNIST training examples from public/data; returns the load time. */
  loadMnist(count: number): Promise<{ count: number; loadMs: number }>;
  throughput(
    maxSteps: number,
    maxMs: number,
    onUpdate: (update: TrainUpdate) => void,
  ): Promise<ThroughputResult>;
  overhead(
    steps: number,
    pairs: number,
    onUpdate: (update: TrainUpdate) => void,
  ): Promise<OverheadResult>;
  latency(): Promise<LatencyResult>;
}
