/** One row of the "dark knowledge" explorer: the softened distribution at one temperature. */
export interface TemperaturePoint {
  temperature: number;
  /** softmax(z / T), sums to 1. */
  probabilities: Float64Array;
  /** Shannon entropy H = −Σ pᵢ ln pᵢ, in nats. */
  entropyNats: number;
  /** H / ln C in 0..1: 0 is one-hot, 1 is uniform over the C classes. */
  normalizedEntropy: number;
}

/** The explorer's default temperatures: T = 1, 2, …, 20. */
export const DEFAULT_TEMPERATURES: readonly number[] = Array.from({ length: 20 }, (_, i) => i + 1);

function checkTemperature(temperature: number): void {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new RangeError(`Temperature must be a finite number > 0, got ${temperature}.`);
  }
}

function checkLogits(logits: ArrayLike<number>): void {
  if (logits.length === 0) throw new RangeError('Need at least one logit.');
  for (let i = 0; i < logits.length; i++) {
    if (!Number.isFinite(logits[i]!)) {
      throw new RangeError(`Logit ${i} is not finite (${logits[i]}).`);
    }
  }
}

/**
 * Softened softmax pᵢ = exp((zᵢ − max z)/T) / Σⱼ exp((zⱼ − max z)/T); subtracting max z keeps
 * every exponent ≤ 0, so huge logits cannot overflow. T > 0 (unitless).
 */
export function softmaxAtTemperature(logits: ArrayLike<number>, temperature: number): Float64Array {
  checkTemperature(temperature);
  checkLogits(logits);
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) max = Math.max(max, logits[i]!);
  const out = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < logits.length; i++) {
    out[i] = Math.exp((logits[i]! - max) / temperature);
    sum += out[i]!;
  }
  for (let i = 0; i < out.length; i++) out[i] = out[i]! / sum;
  return out;
}

/** Shannon entropy H(p) = −Σ pᵢ ln pᵢ in nats, with 0·ln 0 = 0. */
export function entropyNats(p: ArrayLike<number>): number {
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const x = p[i]!;
    if (x > 0) h -= x * Math.log(x);
  }
  return h;
}

/** softmax(z / T) and its entropy (nats, and normalized by ln C) for each temperature T. */
export function temperatureSweep(
  logits: ArrayLike<number>,
  temperatures: readonly number[] = DEFAULT_TEMPERATURES,
): TemperaturePoint[] {
  const maxEntropy = Math.log(logits.length);
  return temperatures.map((temperature) => {
    const probabilities = softmaxAtTemperature(logits, temperature);
    const h = entropyNats(probabilities);
    return {
      temperature,
      probabilities,
      entropyNats: h,
      normalizedEntropy: maxEntropy > 0 ? Math.min(1, h / maxEntropy) : 0,
    };
  });
}
