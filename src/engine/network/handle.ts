import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '../../experiment/schema';
import { layerCosts, totalMacs } from '../measure/macs';
import { isShippedWeight } from '../measure/measure-model';
import type { TensorSizeSpec } from '../measure/size';
import type { ModelHandle } from './stage-types';

/** Storage of a float model: every weight tensor at 32 bits, named layer/weight. */
export function fp32Storage(model: tf.LayersModel): TensorSizeSpec[] {
  return model.weights
    .filter((w) => isShippedWeight(w.originalName))
    .map((w) => ({ name: w.originalName, shape: w.shape as number[], bits: 32 }));
}

/** A handle for a plain float model of a known architecture (the teacher, a fresh student). */
export function handleFromModel(
  model: tf.LayersModel,
  architecture: ArchitectureSpec,
  inputShape: number[],
  numClasses: number,
  label: string,
): ModelHandle {
  const macs = totalMacs(layerCosts(architecture, inputShape, numClasses));
  return { model, storage: fp32Storage(model), macs, effectiveMacs: macs, notes: [], label };
}

/**
 * A deep copy of a Layers model (custom layers included, through their registered classes):
 * same topology from its JSON config, same weight values, new variables.
 */
export async function cloneModel(model: tf.LayersModel): Promise<tf.LayersModel> {
  const weights = model.getWeights().map((w) => w.clone());
  const copy = await tf.models.modelFromJSON({
    modelTopology: model.toJSON(null, false) as tf.io.ModelJSON['modelTopology'],
  });
  copy.setWeights(weights);
  tf.dispose(weights);
  return copy;
}

/** Frees a handle's model (its predict override shares the model's weights or owns nothing). */
export function disposeHandle(handle: ModelHandle): void {
  handle.model.dispose();
}
