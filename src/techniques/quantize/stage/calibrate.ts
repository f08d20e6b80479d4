/**
 * Calibration of activation ranges for static quantization: run a float forward pass of plain
 * layers over calibration batches and let an observer (min/max, EMA, percentile) watch the input
 * of every dense/conv layer and the pre-activation of layers that end in tanh or sigmoid.
 */
import * as tf from '@tensorflow/tfjs';
import type { ObservedRange, RangeObserver } from '../observers';
import { MinMaxObserver, MovingAverageMinMaxObserver, PercentileObserver } from '../observers';
import type { Dataset } from '../../../engine/data/types';
import { createRng, shuffledIndices } from '../../../engine/rng';
import { batchRanges, makeBatch } from '../../../engine/train/batches';
import { readTaps } from '../../../engine/backends/cpu-mirror';
import type { NamedLayer } from '../../../engine/network/layers';
import { isWeightLayer } from '../../../engine/network/layers';
import type { StageContext } from '../../../engine/network/stage-types';

export interface ObserverChoice {
  observer: 'minmax' | 'ema' | 'percentile';
  emaMomentum: number;
  /** Percentile P in (0, 100] of the percentile observer. */
  percentile: number;
}

/** A real range [min, max]. */
export interface Range {
  min: number;
  max: number;
}

export interface CalibratedRanges {
  /** Range of the input of every dense/conv layer, by layer name. */
  inputs: Map<string, Range>;
  /** Range of the pre-activation (before tanh / sigmoid) of layers with such an activation. */
  preActivations: Map<string, Range>;
}

/** Batch size of calibration passes. */
export const CALIBRATION_BATCH = 32;

/** Values the percentile observer keeps per watched tensor (a strided subsample beyond this). */
export const PERCENTILE_BUDGET = 1 << 21;

/** A per-tensor observer of the chosen kind. */
export function makeObserver(choice: ObserverChoice): RangeObserver {
  if (choice.observer === 'ema') {
    return new MovingAverageMinMaxObserver({ momentum: choice.emaMomentum });
  }
  if (choice.observer === 'percentile') {
    return new PercentileObserver({ percentile: choice.percentile });
  }
  return new MinMaxObserver();
}

/** True when the layer's nonlinearity needs its own pre-activation grid (a lookup table). */
export function needsPreActivationRange(layer: NamedLayer): boolean {
  return isWeightLayer(layer) && (layer.activation === 'tanh' || layer.activation === 'sigmoid');
}

function activate(x: tf.Tensor, activation: string | undefined): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'tanh') return tf.tanh(x);
  if (activation === 'sigmoid') return tf.sigmoid(x);
  return x;
}

/**
 * Float forward pass of plain layers (dense x·W + b, conv valid stride 1, maxpool 2, flatten),
 * calling `tap(layer name, 'input' | 'pre', tensor)` at every watched point. Returns the logits.
 */
export function forwardPlain(
  layers: readonly NamedLayer[],
  x: tf.Tensor,
  tap?: (name: string, point: 'input' | 'pre', value: tf.Tensor) => void,
): tf.Tensor {
  return tf.tidy(() => {
    let h = x;
    for (const layer of layers) {
      if (isWeightLayer(layer)) {
        tap?.(layer.name, 'input', h);
        const kernel = tf.tensor(layer.kernel, layer.kernelShape);
        const z =
          layer.kind === 'dense'
            ? tf.matMul(tf.reshape(h, [-1, layer.kernelShape[0]]), kernel as tf.Tensor2D)
            : tf.conv2d(h as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid');
        const pre = tf.add(z, tf.tensor1d(layer.bias));
        if (needsPreActivationRange(layer)) tap?.(layer.name, 'pre', pre);
        h = activate(pre, layer.activation);
      } else if (layer.kind === 'maxpool') {
        h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
      } else {
        h = tf.reshape(h, [h.shape[0]!, -1]);
      }
    }
    return h;
  });
}

/**
 * Every `stride`-th position with all of its `channels` values (channels-last data: position p
 * holds values p·C … p·C + C − 1), so every channel contributes to a per-tensor percentile;
 * all values for stride 1. (Taking every n-th value would see only the channels n hits.)
 */
export function subsamplePositions(
  values: Float32Array,
  channels: number,
  stride: number,
): Float32Array {
  if (stride <= 1) return values;
  const c = Math.max(1, channels);
  const positions = Math.floor(values.length / c);
  const kept = Math.ceil(positions / stride);
  const out = new Float32Array(kept * c);
  for (let k = 0; k < kept; k++)
    out.set(values.subarray(k * stride * c, k * stride * c + c), k * c);
  return out;
}

/** The first `size` examples of a seeded shuffle of the training split (at most all of them). */
export function calibrationIndices(data: Dataset, size: number, seed: number): Uint32Array {
  const order = shuffledIndices(data.train.count, createRng(seed * 104_729 + 17));
  return order.subarray(0, Math.min(size, data.train.count));
}

/**
 * Observes the float forward pass of `layers` on `size` training examples (batches of 32) and
 * returns each watched point's range. Reports progress and honours cancel between batches.
 */
export async function calibrateRanges(
  ctx: Pick<StageContext, 'data' | 'seed' | 'control' | 'onProgress'>,
  layers: readonly NamedLayer[],
  size: number,
  choice: ObserverChoice,
): Promise<CalibratedRanges> {
  const { data } = ctx;
  const indices = calibrationIndices(data, size, ctx.seed);
  if (indices.length === 0) {
    throw new RangeError('Calibration needs at least one training example.');
  }
  const observers = new Map<string, RangeObserver>();
  const key = (name: string, point: 'input' | 'pre') => `${point}:${name}`;
  const ranges = batchRanges(indices.length, CALIBRATION_BATCH);
  for (const [i, [start, count]] of ranges.entries()) {
    await ctx.control.checkpoint();
    const { x, labels } = makeBatch(data.train, data.inputShape, indices, start, count);
    try {
      // Read back asynchronously: a synchronous read of GPU values is unsafe on WebGPU.
      const taps = await readTaps((tap) => {
        forwardPlain(layers, x, (name, point, value) => tap(key(name, point), value));
      });
      for (const [k, { values, shape }] of taps) {
        let observer = observers.get(k);
        if (!observer) observers.set(k, (observer = makeObserver(choice)));
        const perBatch = Math.ceil(PERCENTILE_BUDGET / ranges.length);
        const stride = choice.observer === 'percentile' ? Math.ceil(values.length / perBatch) : 1;
        const channels = shape[shape.length - 1] ?? 1;
        observer.observe(subsamplePositions(values, channels, stride));
      }
    } finally {
      // Also when a layer or an observer throws: the batch is ours to free.
      tf.dispose([x, labels]);
    }
    ctx.onProgress((i + 1) / ranges.length, 'calibrating activation ranges');
  }
  const result: CalibratedRanges = { inputs: new Map(), preActivations: new Map() };
  for (const layer of layers.filter(isWeightLayer)) {
    const input = observers.get(key(layer.name, 'input'));
    if (input) result.inputs.set(layer.name, toRange(input.range()));
    const pre = observers.get(key(layer.name, 'pre'));
    if (pre) result.preActivations.set(layer.name, toRange(pre.range()));
  }
  return result;
}

function toRange(range: ObservedRange): Range {
  return { min: range.min[0]!, max: range.max[0]! };
}
