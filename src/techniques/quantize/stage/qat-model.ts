/**
 * The QAT model: every dense / conv layer becomes a FakeQuantDense / FakeQuantConv2D (weights
 * fake-quantized on every forward pass, symmetric or asymmetric with an integer zero point,
 * min/max grids or learned LSQ / LSQ+ ones), with an ActivationFakeQuant in front of its input,
 * i.e. after the previous layer's activation and pooling, so what is simulated is exactly the
 * grid the integer model reads.
 */
import * as tf from '@tensorflow/tfjs';
import type { QuantScheme } from '../quantizer';
import { ActivationFakeQuant } from './activation-quant';
import { FakeQuantConv2D, FakeQuantDense } from './qlayers';
import { dequantize } from '../quantizer';
import type { NamedLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import type { Range } from './calibrate';
import { inputQuantName } from './fake-quant-model';
import type { QuantizedKernel } from '../weights';
import { isWeightLayer } from '../../../engine/network/layers';
import { mirrorWeights } from '../../../engine/backends/cpu-mirror';

export interface QatModelOptions {
  weightBits: number;
  /** Mixed precision: weight bits of the named layers, overriding weightBits for them. */
  layerBits?: Readonly<Record<string, number>>;
  activationBits: number;
  perChannel: boolean;
  /** Weight grid: symmetric (zero point 0) or asymmetric (integer zero point per scale). */
  scheme: QuantScheme;
  /** LSQ: the weight scales (and asymmetric zero points, LSQ+) are trainable weights. */
  learnedScale: boolean;
  /** Keep the fresh random weights instead of copying the plain layers' weights. */
  fromScratch: boolean;
  seed: number;
  /** Keep the zeros of pruned kernels as masks, so QAT cannot regrow them. */
  keepMasks?: boolean;
}

/** Builds the QAT sequential model of plain layers; copies their weights unless fromScratch. */
export function buildQatModel(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
  options: QatModelOptions,
): tf.Sequential {
  const model = tf.sequential();
  const first = () => (model.layers.length === 0 ? { inputShape: [...inputShape] } : {});
  layers.forEach((layer, index) => {
    if (!isWeightLayer(layer)) {
      model.add(
        layer.kind === 'maxpool'
          ? tf.layers.maxPooling2d({ ...first(), name: layer.name, poolSize: 2, strides: 2 })
          : tf.layers.flatten({ ...first(), name: layer.name }),
      );
      return;
    }
    model.add(
      new ActivationFakeQuant({
        ...first(),
        name: inputQuantName(layer.name),
        bits: options.activationBits,
        symmetric: false,
      }),
    );
    const own = options.layerBits && Object.hasOwn(options.layerBits, layer.name);
    const common = {
      name: layer.name,
      weightBits: own ? options.layerBits![layer.name]! : options.weightBits,
      perChannel: options.perChannel,
      weightScheme: options.scheme,
      weightQuantizer: options.learnedScale ? ('lsq' as const) : ('minmax' as const),
      activation: layer.activation ?? 'linear',
      seed: (options.seed % 1_000_000) * 1000 + index,
      masked: options.keepMasks === true && !options.fromScratch,
    };
    const target =
      layer.kind === 'dense'
        ? new FakeQuantDense({ ...common, units: layer.kernelShape[1] })
        : new FakeQuantConv2D({
            ...common,
            filters: layer.kernelShape[3],
            kernelSize: [layer.kernelShape[0], layer.kernelShape[1]],
            padding: 'valid',
          });
    model.add(target);
    if (options.fromScratch) return;
    const values = target.getWeights().map((w) => w.clone());
    values[0]!.dispose();
    values[1]!.dispose();
    values[0] = tf.tensor(layer.kernel, layer.kernelShape);
    values[1] = tf.tensor1d(layer.bias);
    const maskIndex = target.weights.findIndex((w) => /(^|\/)mask(_\d+)?$/.test(w.originalName));
    if (common.masked && maskIndex >= 0) {
      values[maskIndex]!.dispose();
      values[maskIndex] = tf.tensor(
        Float32Array.from(layer.kernel, (w) => (w === 0 ? 0 : 1)),
        layer.kernelShape,
      );
    }
    target.setWeights(values);
    tf.dispose(values);
    target.resetWeightScale(); // LSQ: the learned grid starts from the copied kernel
  });
  return model;
}

/** Sets the frozen range of the activation fake-quant in front of every named weight layer. */
export function setInputRanges(model: tf.LayersModel, ranges: ReadonlyMap<string, Range>): void {
  for (const [name, range] of ranges) {
    (model.getLayer(inputQuantName(name)) as ActivationFakeQuant).setRange(range.min, range.max);
  }
}

/** The activation ranges the QAT model holds (EMA of training batches), by weight layer name. */
export function inputRangesOf(model: tf.LayersModel): Map<string, Range> {
  const out = new Map<string, Range>();
  for (const layer of extractLayers(model).filter(isWeightLayer)) {
    const quant = model.getLayer(inputQuantName(layer.name)) as ActivationFakeQuant;
    const { min, max, calibrated } = quant.getRange();
    if (calibrated) out.set(layer.name, { min, max });
  }
  return out;
}

/** Whether a model layer is one of the QAT weight layers (fake-quantized kernels). */
function isFakeQuantLayer(layer: unknown): layer is FakeQuantDense | FakeQuantConv2D {
  return layer instanceof FakeQuantDense || layer instanceof FakeQuantConv2D;
}

/**
 * The QAT model's layers as plain layers with the kernels it computes with (ŵ = (q − z)·s on its
 * own grid), and each weight layer's quantized kernel (codes, scales, zero points, read from the
 * layer's own forward ops): the integer model reproduces the trained grid exactly.
 */
export async function qatQuantizedLayers(model: tf.LayersModel): Promise<{
  layers: NamedLayer[];
  kernels: Map<string, QuantizedKernel>;
}> {
  await mirrorWeights(model);
  const kernels = new Map<string, QuantizedKernel>();
  const layers: NamedLayer[] = [];
  for (const layer of extractLayers(model)) {
    const source = isWeightLayer(layer) ? model.getLayer(layer.name) : null;
    if (!isWeightLayer(layer) || !isFakeQuantLayer(source)) {
      layers.push(layer);
      continue;
    }
    const { codes, params } = await source.weightQuantization();
    const dequantized = dequantize(codes, params, layer.kernelShape);
    kernels.set(layer.name, { codes, params, dequantized });
    layers.push({ ...layer, kernel: dequantized });
  }
  return { layers, kernels };
}
