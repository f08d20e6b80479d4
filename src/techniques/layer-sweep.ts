/**
 * One layer at a time: evaluate the model with each layer alone changed by each setting (pruned
 * to a sparsity, quantized to a bit width …) and every other layer as it was. The scans of the
 * pruning and quantization sensitivity analyses are this sweep with their own change.
 */

/** Accuracy (0..1) of the model with these per-layer weights; the list mirrors the input layers. */
export type EvaluateWeights = (weights: readonly Float32Array[]) => Promise<number>;

export interface SweepOptions {
  /** Called after each evaluation with (done, total), total = 1 + layers·settings. */
  onProgress?: (done: number, total: number) => void;
  /** Stops the sweep between evaluations (throws the signal's reason). */
  signal?: AbortSignal;
}

export interface SweepResult {
  /** Accuracy of the unchanged model. */
  baseline: number;
  /** accuracy[l][j]: accuracy with layer l alone changed by setting j. */
  accuracy: number[][];
  /** drop[l][j] = baseline − accuracy[l][j] (positive = worse). */
  drop: number[][];
}

/**
 * results[l][j] = score(layer l changed by setting j, the others unchanged), with
 * `change(weights, l, setting)` giving layer l's new weights; baseline = score(unchanged), scored
 * first. Costs 1 + L·S evaluations.
 */
export async function sweepLayers<S, M>(
  score: (weights: readonly Float32Array[]) => Promise<M>,
  layers: readonly Float32Array[],
  settings: readonly S[],
  change: (weights: Float32Array, layer: number, setting: S) => Float32Array,
  options: SweepOptions = {},
): Promise<{ baseline: M; results: M[][] }> {
  const total = 1 + layers.length * settings.length;
  let done = 0;
  const step = async (weights: readonly Float32Array[]) => {
    options.signal?.throwIfAborted();
    const value = await score(weights);
    options.onProgress?.(++done, total);
    return value;
  };
  const baseline = await step(layers);
  const results: M[][] = [];
  for (let l = 0; l < layers.length; l++) {
    const row: M[] = [];
    for (const setting of settings) {
      const changed = change(layers[l]!, l, setting);
      row.push(await step(layers.map((w, i) => (i === l ? changed : w))));
    }
    results.push(row);
  }
  return { baseline, results };
}

/**
 * drop[l][j] = acc(unchanged) − acc(layer l changed by setting j, the others unchanged), with
 * `change(weights, l, setting)` giving layer l's new weights. Costs 1 + L·S evaluations.
 */
export async function layerSweep<S>(
  evaluate: EvaluateWeights,
  layers: readonly Float32Array[],
  settings: readonly S[],
  change: (weights: Float32Array, layer: number, setting: S) => Float32Array,
  options: SweepOptions = {},
): Promise<SweepResult> {
  const { baseline, results } = await sweepLayers(evaluate, layers, settings, change, options);
  return {
    baseline,
    accuracy: results,
    drop: results.map((row) => row.map((a) => baseline - a)),
  };
}
