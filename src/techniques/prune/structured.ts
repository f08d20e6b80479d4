import { assertSparsity } from './magnitude';
import type {
  KernelLayer as WeightLayer,
  PlainLayer,
  UnitActivation,
} from '../../engine/network/layers';
import { isWeightLayer } from '../../engine/network/layers';

/**
 * Structured pruning: remove whole conv filters or dense neurons, so the model really shrinks.
 *
 * A model is a plain list of layers as they run in sequence: dense / conv weights with maxpool and
 * flatten in between. Kernels are row-major with the output unit last: dense [in, out], conv HWIO
 * [kh, kw, in, out]. Removing unit u of a layer removes kernel column u and bias u, and the
 * matching inputs of the next weight layer: row u of a dense kernel, input channel u of a conv
 * kernel, or — through flatten, whose NHWC order puts channel c of position s at s·C + c — the
 * dense rows s·C + u for every spatial position s.
 *
 * A unit whose kernel column and bias are zero still outputs f(0) (0.5 for sigmoid). We fold that
 * constant into the next layer's bias, so the pruned model matches the masked one for every
 * activation: max-pooling a constant gives the same constant, and valid padding means every conv
 * window sees it at all kh·kw taps.
 */

/** How units are ranked; the lowest scores are pruned. */
export type UnitCriterion = 'l1' | 'l2' | 'meanActivation' | 'activationEntropy' | 'order';

/** Histogram bins of the activation-entropy criterion. */
export const ENTROPY_BINS = 16;

function unitCount(layer: WeightLayer): number {
  return layer.kernelShape[layer.kernelShape.length - 1]!;
}

/** Per-unit values of a [rows, units] row-major array. */
function columns(values: Float32Array, units: number, visit: (u: number, v: number) => void): void {
  for (let i = 0; i < values.length; i++) visit(i % units, values[i]!);
}

/** Shannon entropy (bits) of one unit's activations over ENTROPY_BINS equal bins on [min, max]. */
function entropyOf(samples: number[]): number {
  const lo = Math.min(...samples);
  const hi = Math.max(...samples);
  if (!(hi > lo)) return 0;
  const counts = new Array<number>(ENTROPY_BINS).fill(0);
  for (const v of samples) {
    const bin = Math.min(ENTROPY_BINS - 1, Math.floor(((v - lo) / (hi - lo)) * ENTROPY_BINS));
    counts[bin]!++;
  }
  return counts.reduce(
    (h, c) => (c === 0 ? h : h - (c / samples.length) * Math.log2(c / samples.length)),
    0,
  );
}

/**
 * Score of each unit: l1 = Σ|w|, l2 = √Σw² over its kernel column (a whole filter for conv);
 * meanActivation = mean |a|, activationEntropy = −Σ p log₂ p (bits) over the unit's column of
 * `activations` [batch·spatial, units]; order = units − u, so the last units go first (no
 * ranking by importance: the naive baseline the others are compared with).
 */
export function unitScores(
  layer: WeightLayer,
  criterion: UnitCriterion,
  activations?: Float32Array,
): Float32Array {
  const units = unitCount(layer);
  const scores = new Float32Array(units);
  if (criterion === 'order') {
    scores.forEach((_, u) => (scores[u] = units - u));
    return scores;
  }
  if (criterion === 'l1' || criterion === 'l2') {
    const sums = new Float64Array(units);
    columns(layer.kernel, units, (u, v) => (sums[u]! += criterion === 'l1' ? Math.abs(v) : v * v));
    sums.forEach((s, u) => (scores[u] = criterion === 'l1' ? s : Math.sqrt(s)));
    return scores;
  }
  if (activations === undefined || activations.length === 0 || activations.length % units !== 0) {
    throw new RangeError(
      `The '${criterion}' criterion needs activations shaped [samples, ${units}] ` +
        `(${units} units per row), got ${activations?.length ?? 'none'} values.`,
    );
  }
  const rows = activations.length / units;
  if (criterion === 'meanActivation') {
    const sums = new Float64Array(units);
    columns(activations, units, (u, v) => (sums[u]! += Math.abs(v)));
    sums.forEach((s, u) => (scores[u] = s / rows));
    return scores;
  }
  const perUnit: number[][] = Array.from({ length: units }, () => []);
  columns(activations, units, (u, v) => perUnit[u]!.push(v));
  perUnit.forEach((samples, u) => (scores[u] = entropyOf(samples)));
  return scores;
}

/** The round(fraction·units) lowest-scoring units (ties: lower index first), ascending. */
export function unitsToPrune(scores: Float32Array, fraction: number): number[] {
  assertSparsity(fraction, 'The fraction of units to prune');
  const k = Math.round(fraction * scores.length);
  if (k >= scores.length) {
    throw new RangeError(
      `Pruning ${k} of ${scores.length} units would remove every unit of the layer ` +
        'and disconnect the network; choose a smaller fraction.',
    );
  }
  const order = Array.from(scores.keys()).sort((a, b) => scores[a]! - scores[b]! || a - b);
  return order.slice(0, k).sort((a, b) => a - b);
}

function checkUnits(layers: readonly PlainLayer[], index: number, units: readonly number[]) {
  const layer = layers[index];
  if (!isWeightLayer(layer)) throw new RangeError(`Layer ${index} is not a dense or conv layer.`);
  const count = unitCount(layer);
  const removed = new Set(units);
  if (
    removed.size !== units.length ||
    units.some((u) => !Number.isInteger(u) || u < 0 || u >= count)
  ) {
    throw new RangeError(`Units to remove must be distinct whole numbers in 0..${count - 1}.`);
  }
  if (removed.size === count) {
    throw new RangeError(
      `Pruning all ${count} units of layer ${index} would disconnect the network; keep at least one.`,
    );
  }
  return { layer, removed };
}

/** Keeps, for every (outer, channel, inner) of a [outer, channels, inner] array, the kept channels. */
function keepChannels(values: Float32Array, channels: number, inner: number, keep: number[]) {
  const outer = values.length / (channels * inner);
  const out = new Float32Array(outer * keep.length * inner);
  let o = 0;
  for (let a = 0; a < outer; a++)
    for (const c of keep) {
      const start = (a * channels + c) * inner;
      out.set(values.subarray(start, start + inner), o);
      o += inner;
    }
  return out;
}

function activationAtZero(activation: UnitActivation | undefined): number {
  return activation === 'sigmoid' ? 0.5 : 0;
}

/**
 * Removes `units` from weight layer `index` and the matching inputs of the next weight layer
 * (folding f(0)·Σ removed inputs' weights into its bias); returns a new list, inputs untouched.
 */
export function removeUnits(
  layers: readonly PlainLayer[],
  index: number,
  units: readonly number[],
): PlainLayer[] {
  const { layer, removed } = checkUnits(layers, index, units);
  const nextIndex = layers.findIndex((l, i) => i > index && isWeightLayer(l));
  const next = layers[nextIndex];
  if (!isWeightLayer(next)) {
    throw new RangeError(
      `Layer ${index} is the output layer: its units are the classes, so they cannot be pruned.`,
    );
  }
  const count = unitCount(layer);
  const keep = Array.from({ length: count }, (_, u) => u).filter((u) => !removed.has(u));
  const shrunk = {
    ...layer,
    kernel: keepChannels(layer.kernel, count, 1, keep),
    bias: keepChannels(layer.bias, count, 1, keep),
    kernelShape: [...layer.kernelShape.slice(0, -1), keep.length],
  } as WeightLayer;

  const nextOut = unitCount(next);
  const nextRows = next.kernel.length / nextOut;
  const flattened = layers.slice(index + 1, nextIndex).some((l) => l.kind === 'flatten');
  if (next.kind === 'conv' && flattened)
    throw new RangeError('A conv layer cannot follow flatten.');
  if (layer.kind === 'dense' && next.kind === 'conv') {
    throw new RangeError('A conv layer after a dense layer is not supported.');
  }
  const inputsMatch =
    next.kind === 'conv'
      ? next.kernelShape[2] === count
      : flattened
        ? nextRows % count === 0
        : nextRows === count;
  if (!inputsMatch) {
    throw new RangeError(
      `Layer ${nextIndex} takes ${nextRows} inputs, which do not line up with ${count} units.`,
    );
  }
  // Next kernel viewed as [outer, count, nextOut]: outer = spatial positions (flatten) or kh·kw (conv).
  const nextBias = Float32Array.from(next.bias);
  const constant = activationAtZero(layer.activation);
  if (constant !== 0) {
    for (let i = 0; i < next.kernel.length; i++) {
      const channel = Math.floor(i / nextOut) % count;
      if (removed.has(channel)) nextBias[i % nextOut]! += constant * next.kernel[i]!;
    }
  }
  const nextShape =
    next.kind === 'conv'
      ? [next.kernelShape[0], next.kernelShape[1], keep.length, nextOut]
      : [(nextRows / count) * keep.length, nextOut];
  const shrunkNext = {
    ...next,
    kernel: keepChannels(next.kernel, count, nextOut, keep),
    bias: nextBias,
    kernelShape: nextShape,
  } as WeightLayer;
  return layers.map((l, i) => (i === index ? shrunk : i === nextIndex ? shrunkNext : l));
}

/** Kernel mask [..., units] with 0 in every column of `units` and 1 elsewhere (for MaskedDense/Conv). */
export function unitKernelMask(
  kernelShape: readonly number[],
  units: readonly number[],
): Float32Array {
  const count = kernelShape[kernelShape.length - 1]!;
  const size = kernelShape.reduce((a, b) => a * b, 1);
  const removed = new Set(units);
  return Float32Array.from({ length: size }, (_, i) => (removed.has(i % count) ? 0 : 1));
}

/** The masked equivalent of removeUnits: same shapes, kernel columns and biases of `units` set to 0. */
export function zeroUnits(
  layers: readonly PlainLayer[],
  index: number,
  units: readonly number[],
): PlainLayer[] {
  const { layer, removed } = checkUnits(layers, index, units);
  const mask = unitKernelMask(layer.kernelShape, units);
  const zeroed = {
    ...layer,
    kernel: layer.kernel.map((v, i) => v * mask[i]!),
    bias: layer.bias.map((v, u) => (removed.has(u) ? 0 : v)),
  };
  return layers.map((l, i) => (i === index ? zeroed : l));
}

/** Ranks layer `index`'s units by `criterion` and removes the round(fraction·units) lowest. */
export function structuredPrune(
  layers: readonly PlainLayer[],
  index: number,
  fraction: number,
  criterion: UnitCriterion,
  activations?: Float32Array,
): { layers: PlainLayer[]; removed: number[] } {
  const layer = layers[index];
  if (!isWeightLayer(layer)) throw new RangeError(`Layer ${index} is not a dense or conv layer.`);
  const removed = unitsToPrune(unitScores(layer, criterion, activations), fraction);
  return {
    layers: removed.length === 0 ? [...layers] : removeUnits(layers, index, removed),
    removed,
  };
}
