/**
 * The fake-quant float model of static quantization (dequantized kernels ŵ, an activation
 * fake-quant layer with a frozen calibrated range before every dense / conv layer) and the
 * agreement between two predictors, used to check the integer path against it.
 */
import * as tf from '@tensorflow/tfjs';
import { ActivationFakeQuant } from './activation-quant';
import type { DataSplit } from '../../../engine/data/types';
import { batchRanges, makeBatch } from '../../../engine/train/batches';
import type { NamedLayer } from '../../../engine/network/layers';
import type { Range } from './calibrate';
import { isWeightLayer } from '../../../engine/network/layers';
import type { StageContext } from '../../../engine/network/stage-types';

/** Name of the activation fake-quant layer in front of weight layer `name`. */
export function inputQuantName(name: string): string {
  return `${name}_input_quant`;
}

/**
 * Sequential float model: [ActivationFakeQuant(range of the layer input, asymmetric, `bits`) →
 * dense / conv(ŵ, b, activation)] per weight layer, maxpool 2 and flatten as they are.
 */
export function buildFakeQuantModel(
  layers: readonly NamedLayer[],
  inputRanges: ReadonlyMap<string, Range>,
  activationBits: number,
  inputShape: readonly number[],
): tf.Sequential {
  const model = tf.sequential();
  const first = () => (model.layers.length === 0 ? { inputShape: [...inputShape] } : {});
  const weights: [tf.layers.Layer, NamedLayer][] = [];
  const ranges: [ActivationFakeQuant, Range][] = [];
  for (const layer of layers) {
    if (isWeightLayer(layer)) {
      const range = inputRanges.get(layer.name);
      if (!range) throw new RangeError(`Layer ${layer.name} has no calibrated input range.`);
      const quant = new ActivationFakeQuant({
        ...first(),
        name: inputQuantName(layer.name),
        bits: activationBits,
        symmetric: false,
      });
      model.add(quant);
      ranges.push([quant, range]);
      const activation = layer.activation ?? 'linear';
      const weightLayer =
        layer.kind === 'dense'
          ? tf.layers.dense({ name: layer.name, units: layer.kernelShape[1], activation })
          : tf.layers.conv2d({
              name: layer.name,
              filters: layer.kernelShape[3],
              kernelSize: [layer.kernelShape[0], layer.kernelShape[1]],
              padding: 'valid',
              activation,
            });
      model.add(weightLayer);
      weights.push([weightLayer, layer]);
    } else if (layer.kind === 'maxpool') {
      model.add(tf.layers.maxPooling2d({ ...first(), name: layer.name, poolSize: 2, strides: 2 }));
    } else {
      model.add(tf.layers.flatten({ ...first(), name: layer.name }));
    }
  }
  for (const [quant, range] of ranges) quant.setRange(range.min, range.max);
  for (const [target, layer] of weights) {
    if (!isWeightLayer(layer)) continue;
    const values = [tf.tensor(layer.kernel, layer.kernelShape), tf.tensor1d(layer.bias)];
    target.setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/**
 * Fraction (0..1) of the split's examples on which two predictors pick the same class:
 * (1/n) Σ [argmax a(xᵢ) = argmax b(xᵢ)]. Honours cancel between batches.
 */
export async function predictionAgreement(
  a: (x: tf.Tensor) => tf.Tensor,
  b: (x: tf.Tensor) => tf.Tensor,
  split: DataSplit,
  inputShape: readonly number[],
  ctx: Pick<StageContext, 'control' | 'onProgress'>,
  batchSize = 256,
): Promise<number> {
  if (split.count === 0) return 1;
  const identity = Uint32Array.from({ length: split.count }, (_, i) => i);
  const batches = batchRanges(split.count, batchSize);
  let same = 0;
  for (const [i, [start, size]] of batches.entries()) {
    await ctx.control.checkpoint();
    const { x, labels } = makeBatch(split, inputShape, identity, start, size);
    let values: Float32Array | Int32Array | Uint8Array;
    try {
      const picks = tf.tidy(() => tf.stack([tf.argMax(a(x), -1), tf.argMax(b(x), -1)]));
      values = await picks.data();
      picks.dispose();
    } finally {
      // Also when a predictor throws: the batch is ours to free.
      tf.dispose([x, labels]);
    }
    for (let k = 0; k < size; k++) if (values[k] === values[size + k]) same++;
    ctx.onProgress((i + 1) / batches.length, 'checking the integer model against fake-quant');
  }
  return same / split.count;
}
