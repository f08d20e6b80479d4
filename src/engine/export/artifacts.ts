// Models as files: tfjs artifacts (model.json + weights.bin) that stock tfjs can load.
import * as tf from '@tensorflow/tfjs';
import type { io } from '@tensorflow/tfjs';
import { buildFromLayers, extractLayers } from '../network/layer-ir';

/** What crosses the worker boundary for a saved model: topology, weight specs, one buffer. */
export interface ExportedModel {
  modelTopology: object;
  weightSpecs: io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
  /** What the download holds differently from what was measured, in words (none: exact). */
  notes?: string[];
}

/** The model.json that stock `tf.loadLayersModel` reads, with its weights in `weightsPath`. */
export interface ModelJsonFile {
  format: 'layers-model';
  generatedBy: string;
  convertedBy: null;
  modelTopology: object;
  weightsManifest: { paths: string[]; weights: io.WeightsManifestEntry[] }[];
}

const STOCK = new Set(['Dense', 'Conv2D', 'MaxPooling2D', 'Flatten', 'InputLayer', 'Activation']);

/** Whether every layer is a stock tfjs layer (no masked / fake-quant custom classes). */
export function isPlainModel(model: tf.LayersModel): boolean {
  return model.layers.every((l) => STOCK.has(l.getClassName()));
}

/** Serializes a model's topology and float32 weights through a memory save handler. */
export async function saveToMemory(model: tf.LayersModel): Promise<ExportedModel> {
  let saved: io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const a = saved as io.ModelArtifacts | null;
  if (!a?.modelTopology || !a.weightSpecs || a.weightData === undefined) {
    throw new Error('The model could not be serialized.');
  }
  const data = a.weightData;
  const weightData = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return { modelTopology: a.modelTopology as object, weightSpecs: a.weightSpecs, weightData };
}

/**
 * A model stock tfjs can load: the model itself when plain, else the plain equivalent
 * (masks baked in, fake-quant layers as plain float layers). The caller disposes the result
 * when it differs from `model`.
 */
export function plainEquivalent(model: tf.LayersModel, inputShape: number[]): tf.LayersModel {
  if (isPlainModel(model)) return model;
  return buildFromLayers(extractLayers(model), inputShape);
}

/** Saves the plain equivalent of `model` (float32 weights, masks baked). */
export async function exportPlainModel(
  model: tf.LayersModel,
  inputShape: number[],
): Promise<ExportedModel> {
  const plain = plainEquivalent(model, inputShape);
  try {
    return await saveToMemory(plain);
  } finally {
    if (plain !== model) plain.dispose();
  }
}

/** The model.json document for `model`, whose weights are stored in the file `weightsPath`. */
export function modelJson(model: ExportedModel, weightsPath = 'weights.bin'): ModelJsonFile {
  return {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: model.modelTopology,
    weightsManifest: [{ paths: [weightsPath], weights: model.weightSpecs }],
  };
}

/** Loads exported artifacts back with stock tfjs (no custom classes needed). */
export function loadExported(model: ExportedModel): Promise<tf.LayersModel> {
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: model.modelTopology,
      weightSpecs: model.weightSpecs,
      weightData: model.weightData,
    }),
  );
}
