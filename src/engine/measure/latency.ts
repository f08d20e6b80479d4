/**
 * Latency harness, independent of tfjs: it times whatever `run` does. The caller's `run` must
 * resolve only once the results are back on the CPU (e.g. `await y.data()` on the output, then
 * dispose it): tfjs queues GPU work asynchronously, so without the read-back a run would time
 * the enqueueing, not the compute.
 */

/** Fewest warm-up runs (untimed: shader compilation, kernel caches, JIT). */
export const MIN_WARMUP_RUNS = 5;
/** Fewest timed runs. */
export const MIN_TIMED_RUNS = 30;
/**
 * Least time the warm-up runs take (ms): V8 first runs wasm on its baseline compiler and
 * optimizes a function only once it has run a while, so a few fast runs would time baseline code.
 */
export const MIN_WARMUP_MS = 30;
/** Most warm-up runs (a clock that does not advance must not spin forever). */
export const MAX_WARMUP_RUNS = 300;
/**
 * Least time the timed runs span (ms): 30 runs of a 0.05 ms model last 1.5 ms, so one busy moment
 * of the machine would move the median; more runs over 60 ms average such moments out.
 */
export const MIN_TIMED_MS = 60;
/** Most timed runs. */
export const MAX_TIMED_RUNS = 300;

export interface LatencyOptions {
  /** Untimed warm-up runs; raised to at least {@link MIN_WARMUP_RUNS}. */
  warmup?: number;
  /** Warm-up runs go on until they took this long (ms, default {@link MIN_WARMUP_MS}). */
  warmupMs?: number;
  /** Timed runs; raised to at least {@link MIN_TIMED_RUNS}. */
  runs?: number;
  /** Timed runs go on until they span this long (ms, default {@link MIN_TIMED_MS}). */
  timedMs?: number;
  /** Clock in ms; defaults to `performance.now`. */
  now?: () => number;
}

export interface LatencyStats {
  /** Nearest-rank 50th percentile of the samples, ms. */
  medianMs: number;
  /** Nearest-rank 90th percentile of the samples, ms. */
  p90Ms: number;
  /** Arithmetic mean of the samples, ms. */
  meanMs: number;
  /** Number of timed runs (= samples.length). */
  runs: number;
  /** Duration of each timed run in ms, in the order they ran. */
  samples: number[];
}

/**
 * Nearest-rank percentile: the ⌈p/100·n⌉-th smallest sample (1-based), p in (0, 100]; p = 0 gives
 * the smallest. Always one of the samples, never an interpolation.
 */
export function nearestRankPercentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) throw new RangeError('no samples');
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be in 0..100, got ${p}.`);
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}

/** Summary of samples in ms: nearest-rank median and p90, mean = Σ samples / n. */
export function summarizeLatency(samples: readonly number[]): LatencyStats {
  return {
    medianMs: nearestRankPercentile(samples, 50),
    p90Ms: nearestRankPercentile(samples, 90),
    meanMs: samples.reduce((s, x) => s + x, 0) / samples.length,
    runs: samples.length,
    samples: [...samples],
  };
}

function atLeast(value: number | undefined, minimum: number): number {
  return value !== undefined && Number.isFinite(value)
    ? Math.max(minimum, Math.floor(value))
    : minimum;
}

/** The options with their minimums and defaults applied. */
function settings(options: LatencyOptions) {
  const runs = atLeast(options.runs, MIN_TIMED_RUNS);
  return {
    warmup: atLeast(options.warmup, MIN_WARMUP_RUNS),
    runs,
    most: Math.max(runs, MAX_TIMED_RUNS),
    now: options.now ?? (() => performance.now()),
    warmupMs: options.warmupMs ?? MIN_WARMUP_MS,
    timedMs: options.timedMs ?? MIN_TIMED_MS,
  };
}

/** Calls `round` untimed max(5, warmup) times and until warmupMs have passed (at most 300). */
async function warmUp(round: () => Promise<void>, s: ReturnType<typeof settings>): Promise<void> {
  const start = s.now();
  for (let i = 0; i < MAX_WARMUP_RUNS && (i < s.warmup || s.now() - start < s.warmupMs); i++) {
    await round();
  }
}

/** Runs `run` once, appends its duration (ms) to `samples` and returns it. */
async function timeOnce(run: () => Promise<void>, samples: number[], now: () => number) {
  const start = now();
  await run();
  const ms = now() - start;
  samples.push(ms);
  return ms;
}

/**
 * Runs `run` untimed max(5, warmup) times and until warmupMs have passed (at most 300 times),
 * then max(30, runs) times and until timedMs have passed (at most max(runs, 300) times), one
 * after another, timing each with `now` (ms); returns the nearest-rank median / p90 and the mean
 * of the timed runs.
 */
export async function measureLatency(
  run: () => Promise<void>,
  options: LatencyOptions = {},
): Promise<LatencyStats> {
  const s = settings(options);
  await warmUp(run, s);
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < s.most && (samples.length < s.runs || spent < s.timedMs)) {
    spent += await timeOnce(run, samples, s.now);
  }
  return summarizeLatency(samples);
}

/**
 * Times `a` and `b` in alternation (a b, b a, a b, …), so that a busy spell of the machine slows
 * both alike and their ratio stays fair: warm-ups as measureLatency's (each round runs both),
 * then rounds until each has max(30, runs) samples and the rounds span 2·timedMs (at most
 * max(runs, 300) rounds); returns [stats of a, stats of b].
 */
export async function measurePairedLatency(
  a: () => Promise<void>,
  b: () => Promise<void>,
  options: LatencyOptions = {},
): Promise<[LatencyStats, LatencyStats]> {
  const s = settings(options);
  await warmUp(async () => {
    await a();
    await b();
  }, s);
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  let spent = 0;
  for (let i = 0; i < s.most && (i < s.runs || spent < 2 * s.timedMs); i++) {
    const first = i % 2 === 0;
    spent += await timeOnce(first ? a : b, first ? samplesA : samplesB, s.now);
    spent += await timeOnce(first ? b : a, first ? samplesB : samplesA, s.now);
  }
  return [summarizeLatency(samplesA), summarizeLatency(samplesB)];
}
