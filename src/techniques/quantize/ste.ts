import { roundHalfEven } from './quantizer';
// The straight-through estimator in plain numbers: what fake quantization does going forward
// (a staircase) and what gradient it lets through going back (a 0/1 mask), for one grid.

export interface SteGrid {
  /** Step size s in weight units (> 0). */
  scale: number;
  /** Integer code range [qmin, qmax]. */
  qmin: number;
  qmax: number;
  /** Integer zero point z (0 for symmetric grids). */
  zeroPoint?: number;
}

export interface StePoint {
  /** Input x in weight units. */
  x: number;
  /** Forward: (clamp(round(x/s + z), qmin, qmax) − z)·s. */
  forward: number;
  /** Backward: 1 where qmin ≤ x/s + z ≤ qmax (gradient passes), 0 where x was clipped. */
  gradient: number;
}

/** Integer code range of a weight grid: symmetric [−(2^(b−1)−1), 2^(b−1)−1], else [0, 2^b − 1]. */
export function codeRange(bits: number, scheme: 'symmetric' | 'asymmetric') {
  if (!(Number.isInteger(bits) && bits >= 2 && bits <= 16)) {
    throw new RangeError(`Bits must be a whole number from 2 to 16, got ${bits}.`);
  }
  if (scheme === 'asymmetric') return { qmin: 0, qmax: 2 ** bits - 1 };
  const qmax = 2 ** (bits - 1) - 1;
  return { qmin: -qmax, qmax };
}

/** One point of the STE: forward x̂ = (clamp(round(x/s + z), qmin, qmax) − z)·s, mask 0/1. */
export function stePoint(x: number, grid: SteGrid): StePoint {
  const { scale: s, qmin, qmax } = grid;
  const z = grid.zeroPoint ?? 0;
  const u = x / s + z;
  const q = Math.min(qmax, Math.max(qmin, roundHalfEven(u)));
  return { x, forward: (q - z) * s, gradient: u >= qmin && u <= qmax ? 1 : 0 };
}

/**
 * `samples` evenly spaced points over the clip range [(qmin − z)·s, (qmax − z)·s] widened by
 * `margin` of its width on each side, so the clipped flat ends and the zero gradient show.
 */
export function steCurve(grid: SteGrid, samples = 400, margin = 0.25): StePoint[] {
  if (!(grid.scale > 0 && Number.isFinite(grid.scale))) {
    throw new RangeError(`The step size must be a finite number > 0, got ${grid.scale}.`);
  }
  if (!(Number.isInteger(samples) && samples >= 2)) {
    throw new RangeError(`Need a whole number of samples ≥ 2, got ${samples}.`);
  }
  const z = grid.zeroPoint ?? 0;
  const lo = (grid.qmin - z) * grid.scale;
  const hi = (grid.qmax - z) * grid.scale;
  const from = lo - margin * (hi - lo);
  const to = hi + margin * (hi - lo);
  return Array.from({ length: samples }, (_, i) =>
    stePoint(from + ((to - from) * i) / (samples - 1), grid),
  );
}
