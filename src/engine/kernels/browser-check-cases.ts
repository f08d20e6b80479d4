/**
 * Cases of the browser check (Node side): integer models as the PTQ stage converts them, their
 * inputs and JS-reference logits; float layers for the tfjs-wasm teacher and the sparse engine.
 */
import * as tf from '@tensorflow/tfjs';
import type { NamedLayer } from '../network/layers';
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import { runIntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { IntegerRecipe } from './test-support';
import {
  conv,
  dense,
  inputData,
  integerModelOf,
  magnitudePruned,
  referenceCnn,
  uniform,
} from './test-support';
import { encodeTyped } from './wire';

export interface IntegerCase {
  name: string;
  model: IntegerModel;
  batch: number;
  x: Float32Array;
  reference: Float32Array;
}

export interface CheckCases {
  integer: IntegerCase[];
  /** The reference CNN's float layers (teacher) and its integer model, for timings. */
  teacher: NamedLayer[];
  teacherInt8: IntegerModel;
  /** The same with 7-bit activation codes (reduced range), the relaxed one-dot kernel's input. */
  teacherInt8a7: IntegerModel;
  sparse: { sparsity: number; layers: NamedLayer[] }[];
}

/** Odd sizes everywhere: 3 input channels, 5 and 17 filters, a 2×5 kernel, three pools. */
export const oddCnn: NamedLayer[] = [
  conv('conv1', 3, 3, 5, 'relu', 21),
  { kind: 'maxpool', name: 'pool1' },
  conv('conv2', 2, 5, 17, 'relu', 23),
  { kind: 'maxpool', name: 'pool2' },
  { kind: 'maxpool', name: 'pool3' },
  { kind: 'flatten', name: 'flatten' },
  dense('dense1', 17, 19, 'relu', 25),
  dense('logits', 19, 3, 'linear', 27),
];

/** Hidden tanh / sigmoid layers (lookup tables in the integer model) and a tanh output. */
export const lutMlp: NamedLayer[] = [
  dense('dense1', 5, 6, 'tanh', 31),
  dense('dense2', 6, 7, 'sigmoid', 33),
  dense('logits', 7, 4, 'tanh', 35),
];

/** The same hidden tanh / sigmoid layers with linear logits: the WGSL path takes these. */
const lutMlpLinear: NamedLayer[] = [...lutMlp.slice(0, 2), dense('logits', 7, 4, 'linear', 35)];

/**
 * A dense layer of large positive weights at inputs of the top 7-bit code: every int16 lane of two
 * groups' dots would overflow (127·Σ w⁺ over 4 weights > 32767), so the paired kernel must keep
 * every group single to stay exact.
 */
const saturating: NamedLayer[] = [
  {
    ...(dense('dense1', 24, 8, 'linear', 37) as Extract<NamedLayer, { kind: 'dense' }>),
    kernel: Float32Array.from(uniform(24 * 8, 39), (u) => 0.5 + 0.5 * u),
  },
];

/** The odd CNN under symmetric, asymmetric and low-bit per-tensor recipes (shared with the WGSL plan test). */
export const oddCnnCases: [string, NamedLayer[], number[], IntegerRecipe][] = [
  ['odd CNN w8a8', oddCnn, [15, 15, 3], {}],
  ['odd CNN asymmetric w8a8', oddCnn, [15, 15, 3], { weights: { scheme: 'asymmetric' } }],
  [
    'odd CNN w4a6 per-tensor',
    oddCnn,
    [15, 15, 3],
    { weights: { bits: 4, perChannel: false }, activationBits: 6 },
  ],
];

/** Every case, as one JSON string (typed arrays tagged). */
export async function checkCasesJson(): Promise<string> {
  await tf.setBackend('cpu');
  const specs: [string, NamedLayer[], number[], IntegerRecipe][] = [
    ...oddCnnCases,
    [
      'odd CNN w3 pow2 a7',
      oddCnn,
      [15, 15, 3],
      { weights: { bits: 3, powerOfTwo: true }, activationBits: 7 },
    ],
    ['tanh/sigmoid MLP w8a8', lutMlp, [5], {}],
    ['tanh/sigmoid MLP, linear logits, w8a8', lutMlpLinear, [5], {}],
    ['reference CNN w8a8', referenceCnn(), [28, 28, 1], {}],
    ['reference CNN w8a7', referenceCnn(), [28, 28, 1], { activationBits: 7 }],
    ['saturating dense w8a7', saturating, [24], { activationBits: 7 }],
  ];
  const integer: IntegerCase[] = [];
  for (const [name, layers, shape, recipe] of specs) {
    const model = await integerModelOf(
      layers,
      inputData(shape, 64, 3, shape.length === 3 ? 10 : 3),
      recipe,
    );
    for (const batch of [1, 3]) {
      const size = batch * shape.reduce((a, b) => a * b, 1);
      // The saturating case at the calibration range's top, where its lanes would overflow.
      const x = layers === saturating ? new Float32Array(size).fill(8) : uniform(size, 90 + batch);
      integer.push({ name, model, batch, x, reference: runIntegerModel(model, x, batch) });
    }
  }
  const teacher = referenceCnn();
  const cases: CheckCases = {
    integer,
    teacher,
    teacherInt8: await integerModelOf(teacher, inputData([28, 28, 1], 64, 5, 10)),
    teacherInt8a7: await integerModelOf(teacher, inputData([28, 28, 1], 64, 5, 10), {
      activationBits: 7,
    }),
    sparse: [0.5, 0.9].map((sparsity) => ({
      sparsity,
      layers: magnitudePruned(teacher, sparsity),
    })),
  };
  return JSON.stringify(cases, encodeTyped);
}
