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
  /** Runs behind each sample (each sample is their mean); 1 when runs were timed alone. */
  runsPerSample: number;
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
export function summarizeLatency(samples: readonly number[], runsPerSample = 1): LatencyStats {
  return {
    medianMs: nearestRankPercentile(samples, 50),
    p90Ms: nearestRankPercentile(samples, 90),
    meanMs: samples.reduce((s, x) => s + x, 0) / samples.length,
    runs: samples.length,
    runsPerSample,
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

/**
 * Least time one sample spans (ms): performance.now() ticks in 5 µs steps in a cross-origin
 * isolated page, so a 0.015 ms run timed alone reads 0.010 or 0.020; a sample times
 * k = ⌈0.5 ms / mean run⌉ runs back to back (at most 100) and reports their mean.
 */
export const MIN_SAMPLE_MS = 0.5;
/** Most runs in one sample. */
export const MAX_RUNS_PER_SAMPLE = 100;

/** Runs per sample for runs of `meanMs`: ⌈MIN_SAMPLE_MS / meanMs⌉ within 1..100. */
export function runsPerSample(meanMs: number): number {
  if (!(meanMs > 0)) return MAX_RUNS_PER_SAMPLE;
  return Math.min(MAX_RUNS_PER_SAMPLE, Math.max(1, Math.ceil(MIN_SAMPLE_MS / meanMs)));
}

/**
 * Calls every run of `runs` in turn, untimed, max(5, warmup) rounds and until warmupMs have
 * passed (at most 300 rounds); returns each run's runs per sample, from its mean warm-up time.
 */
async function warmUp(
  runs: readonly (() => Promise<void>)[],
  s: ReturnType<typeof settings>,
): Promise<number[]> {
  const start = s.now();
  const spent = runs.map(() => 0);
  let rounds = 0;
  while (rounds < MAX_WARMUP_RUNS && (rounds < s.warmup || s.now() - start < s.warmupMs)) {
    for (let r = 0; r < runs.length; r++) {
      const t0 = s.now();
      await runs[r]!();
      spent[r]! += s.now() - t0;
    }
    rounds++;
  }
  return spent.map((ms) => runsPerSample(ms / rounds));
}

/** Runs `run` k times back to back, appends the mean (ms) to `samples`; returns the total. */
async function timeOnce(run: () => Promise<void>, k: number, samples: number[], now: () => number) {
  const start = now();
  for (let i = 0; i < k; i++) await run();
  const ms = now() - start;
  samples.push(ms / k);
  return ms;
}

/**
 * Runs `run` untimed max(5, warmup) times and until warmupMs have passed (at most 300 times),
 * then takes max(30, runs) samples and until timedMs have passed (at most max(runs, 300)), one
 * after another, each the mean of k back-to-back runs (runsPerSample of the warm-up mean) timed
 * with `now` (ms); returns the nearest-rank median / p90 and the mean of the samples.
 */
export async function measureLatency(
  run: () => Promise<void>,
  options: LatencyOptions = {},
): Promise<LatencyStats> {
  const s = settings(options);
  const [k] = await warmUp([run], s);
  const samples: number[] = [];
  let spent = 0;
  while (samples.length < s.most && (samples.length < s.runs || spent < s.timedMs)) {
    spent += await timeOnce(run, k!, samples, s.now);
  }
  return summarizeLatency(samples, k);
}

/**
 * Times `a` and `b` in alternation (a b, b a, a b, …), so that a busy spell of the machine slows
 * both alike and their ratio stays fair: warm-ups as measureLatency's (each round runs both),
 * then rounds of one sample each (k runs, as measureLatency's) until each has max(30, runs)
 * samples and the rounds span 2·timedMs (at most max(runs, 300) rounds); returns [stats of a,
 * stats of b].
 */
export async function measurePairedLatency(
  a: () => Promise<void>,
  b: () => Promise<void>,
  options: LatencyOptions = {},
): Promise<[LatencyStats, LatencyStats]> {
  const s = settings(options);
  const [ka, kb] = await warmUp([a, b], s);
  const samplesA: number[] = [];
  const samplesB: number[] = [];
  let spent = 0;
  for (let i = 0; i < s.most && (i < s.runs || spent < 2 * s.timedMs); i++) {
    const first = i % 2 === 0;
    spent += await timeOnce(first ? a : b, first ? ka! : kb!, first ? samplesA : samplesB, s.now);
    spent += await timeOnce(first ? b : a, first ? kb! : ka!, first ? samplesB : samplesA, s.now);
  }
  return [summarizeLatency(samplesA, ka), summarizeLatency(samplesB, kb)];
}
