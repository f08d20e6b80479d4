import * as tf from '@tensorflow/tfjs';
import type { LatencyStats } from './latency';
import { measureLatency } from './latency';
import { gzipBytes } from './size';

export interface ModelLatency {
  batch1: LatencyStats;
  batch32: LatencyStats;
}

/**
 * Latency of predict(x) at batch 1 and 32 on the active backend: ≥ 5 warm-ups, then median and
 * p90 of ≥ 30 runs, each waiting for the output to be read back (so GPU work is counted).
 */
export async function measureModelLatency(
  model: tf.LayersModel,
  inputShape: readonly number[],
  runs = 30,
): Promise<ModelLatency> {
  const measure = async (batch: number) => {
    const x = tf.randomUniform([batch, ...inputShape], 0, 1, 'float32', 7);
    try {
      return await measureLatency(
        async () => {
          const y = model.predict(x) as tf.Tensor;
          await y.data();
          y.dispose();
        },
        { warmup: 5, runs },
      );
    } finally {
      x.dispose();
    }
  };
  return { batch1: await measure(1), batch32: await measure(32) };
}

/** True for weights that ship: pruning masks are baked into kernels and not stored. */
export function isShippedWeight(name: string): boolean {
  return !/(^|\/)mask(_\d+)?$/.test(name);
}

/** The fp32 weights as they ship (tfjs weights.bin: 4 B each, in layer order; no masks). */
export function fp32WeightBytes(model: tf.LayersModel): Uint8Array {
  const arrays = model.weights
    .filter((w) => isShippedWeight(w.originalName))
    .map((w) => w.read().dataSync() as Float32Array);
  const total = arrays.reduce((a, w) => a + w.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const w of arrays) {
    out.set(w, offset);
    offset += w.length;
  }
  return new Uint8Array(out.buffer);
}

/** Exact fp32 size (4 B per weight) and its gzip size. */
export async function fp32Size(
  model: tf.LayersModel,
): Promise<{ bytes: number; gzipBytes: number }> {
  const bytes = fp32WeightBytes(model);
  return { bytes: bytes.byteLength, gzipBytes: await gzipBytes(bytes) };
}
