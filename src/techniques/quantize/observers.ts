/**
 * Range observers: watch a calibration stream of batches and report the real range [min, max]
 * to quantize, per tensor or per channel. Per channel means the innermost axis (NHWC activations,
 * [batch, units] dense outputs), so a batch of length L holds L / channels values per channel.
 */

export interface ObservedRange {
  min: Float32Array;
  max: Float32Array;
}

export interface RangeObserver {
  /** Adds one batch of values (flattened, channels innermost). */
  observe(batch: Float32Array): void;
  /** The range so far; throws when nothing was observed. */
  range(): ObservedRange;
  /** Number of non-empty batches seen. */
  readonly batches: number;
}

export interface ObserverOptions {
  /** Channels on the innermost axis for per-channel ranges; 1 (default) for per-tensor. */
  channels?: number;
}

function checkChannels(channels: number): number {
  if (!Number.isInteger(channels) || channels < 1) {
    throw new RangeError(`The channel count must be a whole number ≥ 1, got ${channels}.`);
  }
  return channels;
}

/** Per-channel min and max of one batch, channel c = i mod channels. */
export function batchRange(batch: Float32Array, channels: number): ObservedRange {
  if (batch.length % channels !== 0) {
    throw new RangeError(
      `A batch of ${batch.length} values does not split into ${channels} channels.`,
    );
  }
  const min = new Float32Array(channels).fill(Infinity);
  const max = new Float32Array(channels).fill(-Infinity);
  for (let i = 0; i < batch.length; i++) {
    const v = batch[i]!;
    if (!Number.isFinite(v))
      throw new RangeError(`The calibration batch holds a non-finite value (${v}).`);
    const c = i % channels;
    if (v < min[c]!) min[c] = v;
    if (v > max[c]!) max[c] = v;
  }
  return { min, max };
}

function emptyError(): Error {
  return new Error('The observer has seen no calibration data yet: feed it at least one batch.');
}

/** Running extremes: min = min over all batches, max = max over all batches. */
export class MinMaxObserver implements RangeObserver {
  readonly channels: number;
  batches = 0;
  private readonly lo: Float32Array;
  private readonly hi: Float32Array;

  constructor(options: ObserverOptions = {}) {
    this.channels = checkChannels(options.channels ?? 1);
    this.lo = new Float32Array(this.channels).fill(Infinity);
    this.hi = new Float32Array(this.channels).fill(-Infinity);
  }

  observe(batch: Float32Array): void {
    if (batch.length === 0) return;
    const { min, max } = batchRange(batch, this.channels);
    for (let c = 0; c < this.channels; c++) {
      this.lo[c] = Math.min(this.lo[c]!, min[c]!);
      this.hi[c] = Math.max(this.hi[c]!, max[c]!);
    }
    this.batches++;
  }

  range(): ObservedRange {
    if (this.batches === 0) throw emptyError();
    return { min: this.lo.slice(), max: this.hi.slice() };
  }
}

/** EMA of batch extremes: m ← momentum · m + (1 − momentum) · batch m; the first batch sets m. */
export class MovingAverageMinMaxObserver implements RangeObserver {
  readonly channels: number;
  readonly momentum: number;
  batches = 0;
  private readonly lo: Float32Array;
  private readonly hi: Float32Array;

  constructor(options: ObserverOptions & { momentum?: number } = {}) {
    this.channels = checkChannels(options.channels ?? 1);
    this.momentum = options.momentum ?? 0.99;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new RangeError(`EMA momentum must be in [0, 1), got ${this.momentum}.`);
    }
    this.lo = new Float32Array(this.channels);
    this.hi = new Float32Array(this.channels);
  }

  observe(batch: Float32Array): void {
    if (batch.length === 0) return;
    const { min, max } = batchRange(batch, this.channels);
    const m = this.batches === 0 ? 0 : this.momentum;
    for (let c = 0; c < this.channels; c++) {
      this.lo[c] = m * this.lo[c]! + (1 - m) * min[c]!;
      this.hi[c] = m * this.hi[c]! + (1 - m) * max[c]!;
    }
    this.batches++;
  }

  range(): ObservedRange {
    if (this.batches === 0) throw emptyError();
    return { min: this.lo.slice(), max: this.hi.slice() };
  }
}

/** Value at quantile p ∈ [0, 1] of sorted data, interpolating linearly between ranks p·(n − 1). */
export function quantileSorted(sorted: Float32Array, p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/**
 * Percentile clipping: max = P-th percentile, min = (100 − P)-th percentile of all values seen
 * (P = 100 gives the plain min/max). Keeps every value, so memory grows with the calibration set.
 */
export class PercentileObserver implements RangeObserver {
  readonly channels: number;
  readonly percentile: number;
  batches = 0;
  private readonly chunks: Float32Array[] = [];

  constructor(options: ObserverOptions & { percentile?: number } = {}) {
    this.channels = checkChannels(options.channels ?? 1);
    this.percentile = options.percentile ?? 99.99;
    if (!(this.percentile > 0 && this.percentile <= 100)) {
      throw new RangeError(
        `The percentile must be above 0 and at most 100 (e.g. 99.9), got ${this.percentile}.`,
      );
    }
  }

  observe(batch: Float32Array): void {
    if (batch.length === 0) return;
    batchRange(batch, this.channels); // validates shape and finiteness
    this.chunks.push(batch.slice());
    this.batches++;
  }

  range(): ObservedRange {
    if (this.batches === 0) throw emptyError();
    const total = this.chunks.reduce((n, b) => n + b.length, 0) / this.channels;
    const perChannel = Array.from({ length: this.channels }, () => new Float32Array(total));
    let k = 0;
    for (const chunk of this.chunks) {
      for (let i = 0; i < chunk.length; i += this.channels, k++) {
        for (let c = 0; c < this.channels; c++) perChannel[c]![k] = chunk[i + c]!;
      }
    }
    const min = new Float32Array(this.channels);
    const max = new Float32Array(this.channels);
    const p = this.percentile / 100;
    perChannel.forEach((values, c) => {
      values.sort();
      min[c] = quantileSorted(values, 1 - p);
      max[c] = quantileSorted(values, p);
    });
    return { min, max };
  }
}
