/**
 * The tfjs half of a layer sweep (layer-sweep.ts): one plain float model of the input's layers,
 * whose kernels are swapped per evaluation, scored on the first examples of the validation split
 * (held out of training, never the test split) so choices made from a scan are scored fairly.
 */
import * as tf from '@tensorflow/tfjs';
import { featureSize } from '../data/types';
import type { DataSplit } from '../data/types';
import { evaluate } from '../train/evaluate';
import type { NamedLayer, WeightLayer } from '../network/layers';
import { isWeightLayer } from '../network/layers';
import { buildFromLayers } from '../network/layer-ir';
import type { StageContext } from '../network/stage-types';
import { StageError } from '../network/stage-types';
import type { EvaluateWeights } from '../../techniques/layer-sweep';

/** Examples the scans score on, at most. */
export const SWEEP_EXAMPLES = 2000;

function firstExamples(split: DataSplit, inputShape: readonly number[], n: number): DataSplit {
  const count = Math.min(n, split.count);
  const size = featureSize(inputShape);
  return { x: split.x.subarray(0, count * size), y: split.y.subarray(0, count), count };
}

function setKernel(model: tf.LayersModel, layer: WeightLayer, kernel: Float32Array): void {
  const target = model.getLayer(layer.name);
  const bias = target.getWeights()[1]!;
  const values = [tf.tensor(kernel, layer.kernelShape), bias.clone()];
  target.setWeights(values);
  values.forEach((t) => t.dispose());
}

/**
 * Runs `scan` with an evaluator of per-layer kernels (top-1 on ≤ maxExamples validation
 * examples, cancellable between evaluations) and the weight layers; frees the model after.
 */
export async function withKernelEvaluator<T>(
  ctx: StageContext,
  all: readonly NamedLayer[],
  what: string,
  scan: (evaluate: EvaluateWeights, layers: WeightLayer[], examples: number) => Promise<T>,
  maxExamples = SWEEP_EXAMPLES,
): Promise<T> {
  const layers = all.filter(isWeightLayer);
  const { inputShape, numClasses } = ctx.data;
  const examples = firstExamples(ctx.data.validation, inputShape, maxExamples);
  if (examples.count === 0) {
    throw new StageError(
      `The ${what} measures on the validation split held out of the training ` +
        'examples, but it is empty: use at least 10 training examples.',
    );
  }
  const model = buildFromLayers(all, inputShape);
  const current = layers.map((l) => l.kernel);
  const evaluateWeights: EvaluateWeights = async (kernels) => {
    await ctx.control.checkpoint();
    kernels.forEach((kernel, i) => {
      if (kernel === current[i]) return;
      setKernel(model, layers[i]!, kernel);
      current[i] = kernel;
    });
    const predict = (x: tf.Tensor) => model.predict(x) as tf.Tensor;
    return (await evaluate(predict, examples, inputShape, numClasses)).accuracy;
  };
  try {
    return await scan(evaluateWeights, layers, examples.count);
  } finally {
    model.dispose();
  }
}
