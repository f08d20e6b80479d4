/** Signal-to-quantization-noise ratio of a layer's values against their quantized version. */
import type { QuantParams } from './quantizer';
import { fakeQuantizeArray } from './quantizer';

/** SQNR in dB = 10 · log10(Σ x² / Σ (x − x̂)²); +Infinity when x̂ equals x exactly. */
export function sqnrDb(reference: Float32Array, approx: Float32Array): number {
  if (reference.length !== approx.length) {
    throw new RangeError(
      `SQNR compares equal-length arrays, got ${reference.length} and ${approx.length}.`,
    );
  }
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < reference.length; i++) {
    const x = reference[i]!;
    const e = x - approx[i]!;
    signal += x * x;
    noise += e * e;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}

/** SQNR in dB of values against fakeQuantize(values) with the given params. */
export function quantizationSqnrDb(
  values: Float32Array,
  params: QuantParams,
  shape?: readonly number[],
): number {
  return sqnrDb(values, fakeQuantizeArray(values, params, shape));
}
