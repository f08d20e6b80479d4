// Models as files: tfjs artifacts (model.json + weights.bin) that stock tfjs can load.
import * as tf from '@tensorflow/tfjs';
import type { io } from '@tensorflow/tfjs';
import { buildFromLayers, extractLayers } from '../network/layer-ir';

/** What crosses the worker boundary for a saved model: topology, weight specs, one buffer. */
export interface ExportedModel {
  modelTopology: object;
  weightSpecs: io.WeightsManifestEntry[];
  weightData: ArrayBuffer;
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

/** Saves the plain equivalent of `model`; with `uint8`, weights are affine-encoded to 8 bits. */
export async function exportPlainModel(
  model: tf.LayersModel,
  inputShape: number[],
  uint8 = false,
): Promise<ExportedModel> {
  const plain = plainEquivalent(model, inputShape);
  try {
    const saved = await saveToMemory(plain);
    return uint8 ? quantizeUint8(saved) : saved;
  } finally {
    if (plain !== model) plain.dispose();
  }
}

/**
 * Re-encodes every float32 weight as uint8 with tfjs's affine spec: q = round((w − min)/scale),
 * scale = (max − min)/255, so value = min + scale·q (error ≤ scale/2 per weight).
 */
export function quantizeUint8(model: ExportedModel): ExportedModel {
  const specs: io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  for (const spec of model.weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = count * 4;
    if (spec.dtype !== 'float32' || spec.quantization) {
      parts.push(new Uint8Array(model.weightData.slice(offset, offset + bytes)));
      specs.push(spec);
      offset += bytes;
      continue;
    }
    const values = new Float32Array(model.weightData.slice(offset, offset + bytes));
    offset += bytes;
    let min = Infinity;
    let max = -Infinity;
    for (const v of values) {
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (count === 0) min = max = 0;
    const scale = max > min ? (max - min) / 255 : 1;
    const q = new Uint8Array(count);
    for (let i = 0; i < count; i++) q[i] = Math.round((values[i]! - min) / scale);
    parts.push(q);
    specs.push({ ...spec, quantization: { dtype: 'uint8', scale, min } });
  }
  const total = parts.reduce((a, p) => a + p.byteLength, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return { modelTopology: model.modelTopology, weightSpecs: specs, weightData: out.buffer };
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
