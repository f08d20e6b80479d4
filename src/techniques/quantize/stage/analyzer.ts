/**
 * The quantization analyzer (as AIMET's QuantAnalyzer does for experts, here for students): a
 * quantized variant simulated in float with each quantizer switched on or off, to tell where its
 * accuracy went — weights or activations, and which layer. Also each layer's output error
 * against the float model (MSE, SQNR) and the activation ranges the observers chose, drawn on
 * the float activations' histograms. Runs on held-out validation examples.
 */
import * as tf from '@tensorflow/tfjs';
import type { DataSplit } from '../../../engine/data/types';
import { readTaps } from '../../../engine/backends/cpu-mirror';
import { firstExamples } from '../../../engine/measure/kernel-sweep';
import { evaluate } from '../../../engine/train/evaluate';
import type { NamedLayer, WeightLayer } from '../../../engine/network/layers';
import { isWeightLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';
import type { QuantParams } from '../quantizer';
import { histogram } from './report';

/** Examples the accuracies are measured on, at most; layer errors and histograms use fewer. */
export const ANALYZER_EXAMPLES = 2000;
export const LAYER_SAMPLE = 256;
const BINS = 48;

/** Which quantizers the simulation applies, per weight layer. */
interface Switches {
  weights: (layer: number) => boolean;
  activations: (layer: number) => boolean;
}

export interface AnalyzerLayer {
  name: string;
  weightBits: number;
  activationBits: number;
  /** Accuracy with this layer's weight and input quantizers off, every other one on. */
  accuracyWithout: number;
  /** Mean (y − ŷ)² of the layer's output, fully quantized model against the float one. */
  outputMse: number;
  /** 10·log10(Σy² / Σ(y − ŷ)²) in dB (Infinity when exact). */
  outputSqnrDb: number;
  /** The float input activations, binned, with the range the observer chose to quantize them. */
  input: { edges: number[]; counts: number[]; clipMin: number; clipMax: number; clipped: number };
}

export interface QuantAnalysis {
  source: string;
  examples: number;
  /** Accuracy of the float model, with only weights, only activations, and both quantized. */
  float: number;
  weightsOnly: number;
  activationsOnly: number;
  both: number;
  /** Accuracy of the variant as it ships (its integer path) on the same examples. */
  shipped: number;
  layers: AnalyzerLayer[];
}

/** x ↦ (clamp(round(x/s) + z, qmin, qmax) − z)·s on a per-tensor grid. */
function fakeQuant(x: tf.Tensor, grid: QuantParams): tf.Tensor {
  const s = grid.scale[0]!;
  const z = grid.zeroPoint[0]!;
  return tf.tidy(() =>
    tf.mul(tf.sub(tf.clipByValue(tf.add(tf.round(tf.div(x, s)), z), grid.qmin, grid.qmax), z), s),
  );
}

function activate(x: tf.Tensor, activation: WeightLayer['activation']): tf.Tensor {
  if (activation === 'relu') return tf.relu(x);
  if (activation === 'tanh') return tf.tanh(x);
  if (activation === 'sigmoid') return tf.sigmoid(x);
  return x;
}

/** The simulated network: float layers, their quantized kernels ŵ and input grids. */
interface Simulation {
  layers: NamedLayer[];
  quantized: Map<string, Float32Array>;
  grids: Map<string, QuantParams>;
}

/**
 * Forward pass of plain layers with each layer's ŵ and input fake-quant switched per `on`;
 * `visit(i, input, output)` sees each weight layer's float input and output (in the tidy scope).
 */
function forward(
  sim: Simulation,
  x: tf.Tensor,
  on: Switches,
  visit?: (index: number, input: tf.Tensor, output: tf.Tensor) => void,
): tf.Tensor {
  let h = x;
  let index = 0;
  for (const layer of sim.layers) {
    if (layer.kind === 'maxpool') {
      h = tf.maxPool(h as tf.Tensor4D, 2, 2, 'valid');
    } else if (layer.kind === 'flatten') {
      h = tf.reshape(h, [h.shape[0]!, -1]);
    } else {
      const i = index++;
      const input = h;
      const grid = sim.grids.get(layer.name);
      const a = on.activations(i) && grid ? fakeQuant(h, grid) : h;
      const values = on.weights(i) ? sim.quantized.get(layer.name)! : layer.kernel;
      const kernel = tf.tensor(values, layer.kernelShape);
      const z =
        layer.kind === 'dense'
          ? tf.matMul(a as tf.Tensor2D, kernel as tf.Tensor2D)
          : tf.conv2d(a as tf.Tensor4D, kernel as tf.Tensor4D, 1, 'valid');
      h = activate(tf.add(z, layer.bias), layer.activation);
      visit?.(i, input, h);
    }
  }
  return h;
}

/** The float layers, ŵ and input grids of a statically quantized handle, or a StageError. */
function simulationOf(handle: ModelHandle): Simulation {
  if (!handle.integerModel || !handle.weightCodes) {
    throw new StageError(
      'The analyzer reads a variant converted to an integer model with calibrated activation ' +
        'grids (static PTQ or QAT); this one has none: pick such a variant.',
    );
  }
  const layers = handle.floatLayers ?? extractLayers(handle.model);
  const quantized = new Map<string, Float32Array>();
  for (const [name, kernel] of handle.weightCodes) quantized.set(name, kernel.dequantized);
  const grids = new Map<string, QuantParams>();
  for (const op of handle.integerModel.ops) {
    if (op.kind === 'dense' || op.kind === 'conv') grids.set(op.name, op.layer.inputParams);
  }
  for (const layer of layers.filter(isWeightLayer)) {
    if (!quantized.has(layer.name) || !grids.has(layer.name)) {
      throw new StageError(`The analyzer found no quantizer for ${layer.name}.`);
    }
  }
  return { layers, quantized, grids };
}

/**
 * Each weight layer's output error and input histogram on the first LAYER_SAMPLE examples. The
 * tapped tensors are kept and read back asynchronously (a synchronous read on WebGPU can lose
 * the device).
 */
async function layerErrors(sim: Simulation, split: DataSplit, inputShape: readonly number[]) {
  const sample = firstExamples(split, inputShape, LAYER_SAMPLE);
  const all = { weights: () => true, activations: () => true };
  const none = { weights: () => false, activations: () => false };
  const taps = await readTaps((tap) => {
    const x = tf.tensor(sample.x, [sample.count, ...inputShape]);
    forward(sim, x, none, (i, input, output) => {
      tap(`input:${i}`, input);
      tap(`float:${i}`, output);
    });
    forward(sim, x, all, (i, _input, output) => tap(`quant:${i}`, output));
  });
  const tapped = (kind: string) =>
    [...taps].filter(([k]) => k.startsWith(`${kind}:`)).map(([, t]) => t.values);
  const [inputs, floatOutputs, quantOutputs] = [tapped('input'), tapped('float'), tapped('quant')];
  return floatOutputs.map((y, i) => {
    const yq = quantOutputs[i]!;
    let signal = 0;
    let noise = 0;
    for (let k = 0; k < y.length; k++) {
      signal += y[k]! * y[k]!;
      noise += (y[k]! - yq[k]!) ** 2;
    }
    return {
      outputMse: noise / Math.max(1, y.length),
      outputSqnrDb: noise === 0 ? Infinity : 10 * Math.log10(signal / noise),
      inputs: inputs[i]!,
    };
  });
}

/** Histogram of the float inputs over [min(x, clip), max(x, clip)] with the grid's clip range. */
function inputHistogram(values: Float32Array, grid: QuantParams): AnalyzerLayer['input'] {
  const s = grid.scale[0]!;
  const z = grid.zeroPoint[0]!;
  const clipMin = (grid.qmin - z) * s;
  const clipMax = (grid.qmax - z) * s;
  let lo = clipMin;
  let hi = clipMax;
  let clipped = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
    if (v < clipMin || v > clipMax) clipped++;
  }
  const edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
  return {
    edges,
    counts: histogram(values, lo, hi, BINS),
    clipMin,
    clipMax,
    clipped: clipped / Math.max(1, values.length),
  };
}

/**
 * The analysis of a statically quantized handle (static PTQ, QAT) on ≤ 2,000 examples of
 * `split`: accuracies float / weights only / activations only / both / as shipped, and per layer
 * the accuracy with its quantizers off, its output MSE and SQNR, its input range on a histogram.
 */
export async function analyzeQuantization(
  source: string,
  handle: ModelHandle,
  split: DataSplit,
  inputShape: readonly number[],
): Promise<QuantAnalysis> {
  const sim = simulationOf(handle);
  const examples = firstExamples(split, inputShape, ANALYZER_EXAMPLES);
  if (examples.count === 0) {
    throw new StageError('The analyzer measures on the validation split, but it is empty.');
  }
  const weightLayers = sim.layers.filter(isWeightLayer);
  const classes = handle.model.outputs[0]!.shape[1]!;
  const accuracyOf = async (predict: (x: tf.Tensor) => tf.Tensor) =>
    (await evaluate(predict, examples, inputShape, classes, 500)).accuracy;
  const run = (on: Switches) => accuracyOf((x) => forward(sim, x, on));
  const always = () => true;
  const never = () => false;
  const float = await run({ weights: never, activations: never });
  const weightsOnly = await run({ weights: always, activations: never });
  const activationsOnly = await run({ weights: never, activations: always });
  const both = await run({ weights: always, activations: always });
  const shipped = await accuracyOf(handle.predict ?? ((x) => handle.model.predict(x) as tf.Tensor));
  const errors = await layerErrors(sim, split, inputShape);
  const layers: AnalyzerLayer[] = [];
  for (const [l, layer] of weightLayers.entries()) {
    const off = (i: number) => i !== l;
    const grid = sim.grids.get(layer.name)!;
    layers.push({
      name: layer.name,
      weightBits: handle.weightCodes!.get(layer.name)!.params.bits,
      activationBits: grid.bits,
      accuracyWithout: await run({ weights: off, activations: off }),
      outputMse: errors[l]!.outputMse,
      outputSqnrDb: errors[l]!.outputSqnrDb,
      input: inputHistogram(errors[l]!.inputs, grid),
    });
  }
  return {
    source,
    examples: examples.count,
    float,
    weightsOnly,
    activationsOnly,
    both,
    shipped,
    layers,
  };
}
