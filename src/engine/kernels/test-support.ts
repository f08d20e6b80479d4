/**
 * Test support for the kernel tests (and the kernel bench): builds the engine when stale, turns on
 * relaxed SIMD in Node 20 (behind a V8 flag there), and makes real integer models the way the
 * quantization stages do (quantizeLayers → calibrateRanges → buildIntegerModel) from seeded
 * plain layers and data.
 */
import { setFlagsFromString } from 'node:v8';
import type * as tf from '@tensorflow/tfjs';
import { buildWasm } from '../../../scripts/build-wasm.mjs';
import type { Dataset } from '../data/types';
import { createRng, gaussian } from '../rng';
import type { NamedLayer } from '../network/layers';
import { calibrateRanges } from '../../techniques/quantize/stage/calibrate';
import { testContext } from '../network/test-fixtures';
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import { buildIntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { WeightQuantConfig } from '../../techniques/quantize/weights';
import { quantizeLayers } from '../../techniques/quantize/weights';

/** Time a beforeAll may take when it has to build both modules first (≈ 15 s on 2 busy cores). */
export const BUILD_TIMEOUT_MS = 180_000;

/** Builds stale engine modules, then enables relaxed SIMD (a no-op where it is on already). */
export async function prepareEngineForTests(): Promise<void> {
  await buildWasm();
  setFlagsFromString('--experimental-wasm-relaxed-simd');
}

/** `n` seeded N(0, sd²) values. */
export function seeded(n: number, seed: number, sd = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => sd * gaussian(rng));
}

/** Seeded uniform [0, 1) values (image-like inputs). */
export function uniform(n: number, seed: number): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => rng());
}

type Activation = 'relu' | 'linear' | 'tanh' | 'sigmoid';

/** A dense layer with Glorot-scaled seeded weights. */
export function dense(
  name: string,
  inDim: number,
  outDim: number,
  activation: Activation,
  seed: number,
): NamedLayer {
  return {
    kind: 'dense',
    name,
    kernel: seeded(inDim * outDim, seed, Math.sqrt(2 / (inDim + outDim))),
    kernelShape: [inDim, outDim],
    bias: seeded(outDim, seed + 1, 0.1),
    activation,
  };
}

/** A k×k conv (HWIO) with Glorot-scaled seeded weights. */
export function conv(
  name: string,
  k: number,
  inC: number,
  outC: number,
  activation: Activation,
  seed: number,
): NamedLayer {
  return {
    kind: 'conv',
    name,
    kernel: seeded(k * k * inC * outC, seed, Math.sqrt(2 / (k * k * (inC + outC)))),
    kernelShape: [k, k, inC, outC],
    bias: seeded(outC, seed + 1, 0.1),
    activation,
  };
}

/** The reference CNN: conv3×3×16 → pool → conv3×3×32 → pool → dense 128 → dense 10 on 28×28×1. */
export function referenceCnn(seed = 11): NamedLayer[] {
  return [
    conv('conv1', 3, 1, 16, 'relu', seed),
    { kind: 'maxpool', name: 'pool1' },
    conv('conv2', 3, 16, 32, 'relu', seed + 2),
    { kind: 'maxpool', name: 'pool2' },
    { kind: 'flatten', name: 'flatten' },
    dense('dense1', 5 * 5 * 32, 128, 'relu', seed + 4),
    dense('logits', 128, 10, 'linear', seed + 6),
  ];
}

/** Zeros the fraction `sparsity` of smallest-|w| weights of every dense / conv layer. */
export function magnitudePruned(layers: NamedLayer[], sparsity: number): NamedLayer[] {
  return layers.map((layer) => {
    if (layer.kind !== 'dense' && layer.kind !== 'conv') return layer;
    const order = Array.from(layer.kernel, (v, i) => [Math.abs(v), i] as const).sort(
      (a, b) => a[0] - b[0],
    );
    const kernel = Float32Array.from(layer.kernel);
    for (let i = 0; i < Math.round(sparsity * kernel.length); i++) kernel[order[i]![1]] = 0;
    return { ...layer, kernel };
  });
}

/** A data set of seeded inputs (uniform for images, N(0, 1) for vectors); labels i mod classes. */
export function inputData(inputShape: number[], count: number, seed: number, classes = 3): Dataset {
  const size = inputShape.reduce((a, b) => a * b, 1);
  const split = (s: number) => ({
    x: inputShape.length === 3 ? uniform(count * size, s) : seeded(count * size, s),
    y: Uint8Array.from({ length: count }, (_, i) => i % classes),
    count,
  });
  return {
    id: 'seeded',
    inputShape,
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, i) => `c${i}`),
    train: split(seed),
    validation: split(seed + 2),
    test: split(seed + 1),
  };
}

export interface IntegerRecipe {
  weights?: Partial<WeightQuantConfig>;
  activationBits?: number;
  calibration?: number;
}

/** The integer model the static PTQ stage would convert from these float layers and data. */
export async function integerModelOf(
  layers: NamedLayer[],
  data: Dataset,
  recipe: IntegerRecipe = {},
): Promise<IntegerModel> {
  const config: WeightQuantConfig = {
    bits: 8,
    scheme: 'symmetric',
    perChannel: true,
    powerOfTwo: false,
    ...recipe.weights,
  };
  const { layers: q, kernels } = quantizeLayers(layers, config);
  const ctx = testContext(data, null as unknown as tf.LayersModel);
  const ranges = await calibrateRanges(ctx, q, recipe.calibration ?? 64, {
    observer: 'minmax',
    emaMomentum: 0.9,
    percentile: 100,
  });
  return buildIntegerModel(
    q,
    kernels,
    ranges.inputs,
    ranges.preActivations,
    recipe.activationBits ?? 8,
    data.inputShape,
  );
}
