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

/** The first min(n, count) examples of a split, as views (no copy). */
export function firstExamples(
  split: DataSplit,
  inputShape: readonly number[],
  n: number,
): DataSplit {
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

/** Top-1 accuracy and mean KL(p_ref ‖ p) of the outputs against the first-scored model, in nats. */
export interface KernelScore {
  accuracy: number;
  divergence: number;
}

/** Examples per predict call of the scorer. */
const SCORE_BATCH = 500;

/**
 * Runs `scan` with scorers of per-layer kernels on ≤ maxExamples validation examples,
 * cancellable between evaluations: `evaluate` gives top-1 accuracy, `score` also the mean KL
 * divergence of the output distribution from the first model `score` saw (call it first on the
 * unchanged kernels). The weight layers come along; the model is freed after.
 */
export async function withKernelEvaluator<T>(
  ctx: StageContext,
  all: readonly NamedLayer[],
  what: string,
  scan: (
    evaluate: EvaluateWeights,
    layers: WeightLayer[],
    examples: number,
    score: (kernels: readonly Float32Array[]) => Promise<KernelScore>,
  ) => Promise<T>,
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
  const setKernels = async (kernels: readonly Float32Array[]) => {
    await ctx.control.checkpoint();
    kernels.forEach((kernel, i) => {
      if (kernel === current[i]) return;
      setKernel(model, layers[i]!, kernel);
      current[i] = kernel;
    });
  };
  const evaluateWeights: EvaluateWeights = async (kernels) => {
    await setKernels(kernels);
    const predict = (x: tf.Tensor) => model.predict(x) as tf.Tensor;
    return (await evaluate(predict, examples, inputShape, numClasses)).accuracy;
  };
  let reference: Float32Array | null = null;
  const score = async (kernels: readonly Float32Array[]): Promise<KernelScore> => {
    await setKernels(kernels);
    const size = featureSize(inputShape);
    const logProbs = new Float32Array(examples.count * numClasses);
    for (let start = 0; start < examples.count; start += SCORE_BATCH) {
      const n = Math.min(SCORE_BATCH, examples.count - start);
      const out = tf.tidy(() => {
        const x = tf.tensor(examples.x.subarray(start * size, (start + n) * size), [
          n,
          ...inputShape,
        ]);
        return tf.logSoftmax(model.predict(x) as tf.Tensor);
      });
      logProbs.set(await out.data(), start * numClasses);
      out.dispose();
    }
    reference ??= logProbs;
    let correct = 0;
    let divergence = 0;
    for (let i = 0; i < examples.count; i++) {
      let best = 0;
      for (let c = 0; c < numClasses; c++) {
        const k = i * numClasses + c;
        if (logProbs[k]! > logProbs[i * numClasses + best]!) best = c;
        const p = Math.exp(reference[k]!);
        divergence += p * (reference[k]! - logProbs[k]!);
      }
      if (best === examples.y[i]) correct++;
    }
    return {
      accuracy: correct / examples.count,
      divergence: Math.max(0, divergence / examples.count),
    };
  };
  try {
    return await scan(evaluateWeights, layers, examples.count, score);
  } finally {
    model.dispose();
  }
}
