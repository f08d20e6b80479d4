import * as tf from '@tensorflow/tfjs';
import { KernelLayer, weightLayerKind } from './kernel-layer';
import type { NamedLayer, UnitActivation } from './layers';

function activationOf(layer: tf.layers.Layer): UnitActivation {
  const value = (layer.getConfig() as { activation?: unknown }).activation;
  return value === 'relu' || value === 'tanh' || value === 'sigmoid' ? value : 'linear';
}

/** The float kernel a layer keeps: K ⊙ M for layers with a mask, the stored kernel otherwise. */
function floatKernel(layer: tf.layers.Layer): Float32Array {
  if (layer instanceof KernelLayer) return layer.maskedKernelValues();
  return layer.getWeights()[0]!.dataSync() as Float32Array;
}

/**
 * Reads a sequential model of dense / conv (plain, masked or fake-quant) / maxpool / flatten
 * layers into plain arrays; activation fake-quant layers are identity here and skipped.
 */
export function extractLayers(model: tf.LayersModel): NamedLayer[] {
  const out: NamedLayer[] = [];
  for (const layer of model.layers) {
    const cls = layer.getClassName();
    const name = layer.name;
    const kind = weightLayerKind(layer);
    if (kind !== null) {
      const weights = layer.getWeights();
      const kernelShape = weights[0]!.shape;
      const kernel = Float32Array.from(floatKernel(layer));
      const bias = weights[1]
        ? Float32Array.from(weights[1].dataSync())
        : new Float32Array(kernelShape[kernelShape.length - 1]!);
      const activation = activationOf(layer);
      if (kind === 'dense') {
        out.push({
          kind: 'dense',
          name,
          kernel,
          bias,
          activation,
          kernelShape: kernelShape as [number, number],
        });
      } else {
        out.push({
          kind: 'conv',
          name,
          kernel,
          bias,
          activation,
          kernelShape: kernelShape as [number, number, number, number],
        });
      }
    } else if (cls === 'MaxPooling2D') {
      out.push({ kind: 'maxpool', name });
    } else if (cls === 'Flatten') {
      out.push({ kind: 'flatten', name });
    } else if (cls === 'ActivationFakeQuant' || cls === 'InputLayer') {
      continue;
    } else {
      throw new Error(`Layer ${name} (${cls}) cannot be read as a plain layer.`);
    }
  }
  return out;
}

/** Builds a plain float sequential model from plain layers (conv: valid padding, stride 1). */
export function buildFromLayers(
  layers: readonly NamedLayer[],
  inputShape: number[],
): tf.Sequential {
  const model = tf.sequential();
  layers.forEach((layer, i) => {
    const first = i === 0 ? { inputShape } : {};
    if (layer.kind === 'dense') {
      model.add(
        tf.layers.dense({
          ...first,
          name: layer.name,
          units: layer.kernelShape[1],
          activation: layer.activation ?? 'linear',
        }),
      );
    } else if (layer.kind === 'conv') {
      const [kh, kw, , filters] = layer.kernelShape;
      model.add(
        tf.layers.conv2d({
          ...first,
          name: layer.name,
          filters,
          kernelSize: [kh, kw],
          padding: 'valid',
          activation: layer.activation ?? 'linear',
        }),
      );
    } else if (layer.kind === 'maxpool') {
      model.add(tf.layers.maxPooling2d({ ...first, name: layer.name, poolSize: 2, strides: 2 }));
    } else {
      model.add(tf.layers.flatten({ ...first, name: layer.name }));
    }
  });
  const values: tf.Tensor[] = [];
  for (const layer of layers) {
    if (layer.kind === 'dense' || layer.kind === 'conv') {
      values.push(tf.tensor(layer.kernel, layer.kernelShape), tf.tensor1d(layer.bias));
    }
  }
  model.setWeights(values);
  tf.dispose(values);
  return model;
}
