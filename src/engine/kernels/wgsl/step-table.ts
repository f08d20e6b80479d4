/**
 * A monotone step function as thresholds: per channel c, F_c(t) = lo_c + #{k < n_c : t ≥ T_c[k]}
 * with T_c[k] = min{t : F_c(t) ≥ lo_c + k + 1}. Requantization (round(M_c · acc) + z, clamped,
 * then any lookup table) and input quantization (round(x / s) + z, clamped) are such functions, so
 * the WGSL path finds a code by a binary search over at most 255 thresholds, and the thresholds
 * come from the JS reference itself: the codes equal the reference's by construction.
 */

/** Thresholds of F over the integer arguments lowest … highest, for `channels` channels at once. */
export interface StepTable {
  /** F_c(lowest) per channel. */
  lo: Int32Array;
  /** n_c = F_c(highest) − F_c(lowest) per channel. */
  count: Int32Array;
  /** T_c[k] at c · stride + k (k < n_c; the rest unused). */
  thresholds: Float64Array;
  /** max_c n_c (at least 1). */
  stride: number;
}

/**
 * Thresholds of a non-decreasing integer-valued F by binary search: `evaluate(args)` gives F_c at
 * args[c] for every channel c (one call per search step, all channels together).
 */
export function stepTable(
  evaluate: (args: Float64Array) => ArrayLike<number>,
  channels: number,
  lowest: number,
  highest: number,
): StepTable {
  const at = (t: number) => Array.from(evaluate(new Float64Array(channels).fill(t)));
  const lo = Int32Array.from(at(lowest));
  const hi = at(highest);
  const count = Int32Array.from(hi, (h, c) => h - lo[c]!);
  if (count.some((n) => n < 0)) throw new RangeError('the step function is not monotone');
  const stride = Math.max(1, ...count);
  const thresholds = new Float64Array(channels * stride);
  const left = new Float64Array(channels);
  const right = new Float64Array(channels);
  for (let k = 0; k < stride; k++) {
    left.fill(lowest);
    right.fill(highest);
    // Invariant: F_c(right) ≥ target; F_c(left − 1) < target.
    for (;;) {
      let open = false;
      const mid = Float64Array.from(left, (l, c) => {
        if (l < right[c]!) open = true;
        return Math.floor((l + right[c]!) / 2);
      });
      if (!open) break;
      const values = evaluate(mid);
      for (let c = 0; c < channels; c++) {
        if (left[c]! >= right[c]!) continue;
        if (values[c]! >= lo[c]! + k + 1) right[c] = mid[c]!;
        else left[c] = mid[c]! + 1;
      }
    }
    for (let c = 0; c < channels; c++) if (k < count[c]!) thresholds[c * stride + k] = left[c]!;
  }
  return { lo, count, thresholds, stride };
}

const bits = new Uint32Array(1);
const float = new Float32Array(bits.buffer);

/** The f32 at position p of the total order −∞ … −0, +0 … +∞ (p = 0 is −∞). */
export function floatAt(p: number): number {
  const negative = p < 0x7f800001;
  bits[0] = negative ? 0xff800000 - p : p - 0x7f800001;
  return float[0]!;
}

/** Position of an f32 in that order: floatAt(floatPosition(x)) = x for every non-NaN x. */
export function floatPosition(x: number): number {
  float[0] = x;
  const b = bits[0]!;
  return b >= 0x80000000 ? 0xff800000 - b : b + 0x7f800001;
}
