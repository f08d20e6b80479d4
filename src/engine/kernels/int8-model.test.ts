import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedLayer } from '../network/layers';
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import { runIntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { KernelEngine } from './engine';
import { compileEngine, isFallback } from './engine';
import type { Int8Handle, Int8Kernel, Int8KernelChoice } from './int8-model';
import {
  chooseInt8Kernels,
  int8LayerTimings,
  int8Predictor,
  int8Unsupported,
  prepareInt8Model,
  runInt8,
  setInt8Kernel,
} from './int8-model';
import { relaxedSelfTest } from './self-test';
import type { IntegerRecipe } from './test-support';
import {
  conv,
  dense,
  inputData,
  integerModelOf,
  BUILD_TIMEOUT_MS,
  prepareEngineForTests,
  referenceCnn,
  seeded,
  uniform,
} from './test-support';

/** The relaxed build (compiled as is, no self-test) and the fixed build. */
const engines: KernelEngine[] = [];
/** Whether this runtime computes relaxed SIMD right (Node 20's flagged V8 11.3 does not). */
let relaxedExact = false;

beforeAll(async () => {
  await tf.setBackend('cpu');
  await prepareEngineForTests();
  for (const path of ['relaxed-simd', 'simd'] as const) {
    const engine = await compileEngine(path);
    if (isFallback(engine)) throw new Error(`${path}: ${engine.detail}`);
    engines.push(engine);
  }
  relaxedExact = relaxedSelfTest(engines[0]!.module) === null;
  if (process.versions.node.startsWith('20.')) expect(relaxedExact).toBe(false);
}, BUILD_TIMEOUT_MS);

const pool = (name: string): NamedLayer => ({ kind: 'maxpool', name });
const flatten: NamedLayer = { kind: 'flatten', name: 'flatten' };

/** Odd everything: 3 input channels, 5 / 17 / 19 units, odd sides (pools drop an edge), two pools in a row. */
const oddCnn: NamedLayer[] = [
  conv('conv1', 3, 3, 5, 'relu', 21),
  pool('pool1'),
  conv('conv2', 2, 5, 17, 'relu', 23),
  pool('pool2'),
  pool('pool3'),
  flatten,
  dense('dense1', 17, 19, 'relu', 25),
  dense('logits', 19, 3, 'linear', 27),
];

/** Hidden tanh and sigmoid (lookup tables from 16-bit pre-activation grids), a tanh output. */
const lutMlp: NamedLayer[] = [
  dense('dense1', 5, 6, 'tanh', 31),
  dense('dense2', 6, 7, 'sigmoid', 33),
  dense('logits', 7, 4, 'tanh', 35),
];

/** A conv not followed by a pool, and a dense on a rank-1 input after flatten. */
const plainConv: NamedLayer[] = [
  conv('conv1', 3, 2, 6, 'linear', 41),
  conv('conv2', 1, 6, 4, 'relu', 43),
  flatten,
  dense('logits', 4 * 4 * 4, 2, 'linear', 45),
];

function features(model: IntegerModel): number {
  return model.inputShape.reduce((a, b) => a * b, 1);
}

function inputsFor(model: IntegerModel, batch: number, seed: number): Float32Array {
  const n = batch * features(model);
  // Images in [0, 1] (plus a few values off the calibrated grid, which clamp), vectors N(0, 2²).
  if (model.inputShape.length === 3) {
    const x = uniform(n, seed);
    x[0] = -3;
    if (n > 1) x[n - 1] = 7;
    return x;
  }
  return seeded(n, seed, 2);
}

async function prepared(
  model: IntegerModel,
  engine: KernelEngine,
  kernel: Exclude<Int8KernelChoice, 'measure'> = 'auto',
): Promise<Int8Handle> {
  const handle = await prepareInt8Model(model, { engine, kernel });
  if (isFallback(handle)) throw new Error(`${handle.fallback}: ${handle.detail}`);
  return handle;
}

/**
 * Every kernel each build can run on every layer (relaxed ones where the runtime computes them
 * right), batches 1 and 3: equal to the JS reference bit for bit. Returns the kernels that ran.
 */
async function expectBitExact(model: IntegerModel): Promise<Set<Int8Kernel>> {
  const seen = new Set<Int8Kernel>();
  for (const batch of [1, 3]) {
    const x = inputsFor(model, batch, 50 + batch);
    const reference = runIntegerModel(model, x, batch);
    expect(reference.length).toBeGreaterThan(0);
    for (const engine of engines) {
      const relaxed = engine.path === 'relaxed-simd' && relaxedExact;
      for (const kernel of relaxed
        ? (['auto', 'fixed', 'split', 'i16', 'pairs'] as const)
        : (['fixed'] as const)) {
        const handle = await prepared(model, engine, kernel);
        handle.kernels.forEach((k) => seen.add(k));
        expect(runInt8(handle, x, batch), `${engine.path} ${kernel}`).toEqual(reference);
      }
    }
  }
  return seen;
}

describe('int8 engine: whole models bit-exact with runIntegerModel', () => {
  it('odd-sized CNN (fused conv→pool, a standalone pool, odd channel counts), both builds', async () => {
    const model = await integerModelOf(oddCnn, inputData([15, 15, 3], 64, 3));
    expect(model.accumulatorBits).toBeLessThanOrEqual(32);
    const kernels = await expectBitExact(model);
    expect([...kernels].sort()).toEqual(
      relaxedExact ? ['fixed-dot-i16', 'relaxed-dot-split'] : ['fixed-dot-i16'],
    );
  });

  it('the reference CNN (28×28×1, 16 / 32 filters, dense 128, 10 logits)', async () => {
    const model = await integerModelOf(referenceCnn(), inputData([28, 28, 1], 48, 4, 10));
    await expectBitExact(model);
  });

  it('tanh / sigmoid through lookup tables, and a tanh on the logits', async () => {
    const model = await integerModelOf(lutMlp, inputData([5], 96, 5));
    const hidden = model.ops[0]!;
    expect(hidden.kind === 'dense' && hidden.lut?.length).toBe(2 ** 16);
    await expectBitExact(model);
  });

  it('conv without pooling, 1×1 conv, linear hidden conv (codes below the zero point)', async () => {
    await expectBitExact(await integerModelOf(plainConv, inputData([6, 6, 2], 64, 6)));
  });

  it('asymmetric 8-bit weights: channels offset by d_c, corrected through window sums', async () => {
    const model = await integerModelOf(oddCnn, inputData([15, 15, 3], 64, 7), {
      weights: { scheme: 'asymmetric' },
    });
    const op = model.ops[0]!;
    expect(op.kind === 'conv' && op.layer.weightParams.zeroPoint.some((z) => z !== 128)).toBe(true);
    await expectBitExact(model);
  });

  const narrow: [string, IntegerRecipe][] = [
    [
      '4-bit per-tensor weights, 6-bit activations',
      { weights: { bits: 4, perChannel: false }, activationBits: 6 },
    ],
    [
      '3-bit power-of-two weights, 7-bit activations',
      { weights: { bits: 3, powerOfTwo: true }, activationBits: 7 },
    ],
    [
      '2-bit asymmetric weights, 5-bit activations',
      { weights: { bits: 2, scheme: 'asymmetric' }, activationBits: 5 },
    ],
  ];
  it.each(narrow)('%s: 7-bit codes take the one-dot relaxed kernel', async (_, recipe) => {
    const model = await integerModelOf(oddCnn, inputData([15, 15, 3], 64, 8), recipe);
    const kernels = await expectBitExact(model);
    expect(kernels.has('relaxed-dot')).toBe(relaxedExact);
    expect(kernels.has('relaxed-dot-i16')).toBe(relaxedExact);
    // The choice itself, whether or not this runtime computes it right:
    expect((await prepared(model, engines[0]!)).kernels.every((k) => k === 'relaxed-dot')).toBe(
      true,
    );
    expect((await prepared(model, engines[1]!)).kernels.every((k) => k === 'fixed-dot-i16')).toBe(
      true,
    );
    const i16 = await prepared(model, engines[0]!, 'i16');
    expect(i16.kernels.every((k) => k === 'relaxed-dot-i16')).toBe(true);
  });

  it('paired i16 dots: taken only where the weights prove no int16 lane overflows', async () => {
    // 4-bit weights (−8..7) with 6-bit codes: |Σ of 4 products| ≤ 4·8·63, every lane fits.
    const narrow = await integerModelOf(oddCnn, inputData([15, 15, 3], 64, 8), {
      weights: { bits: 4, perChannel: false },
      activationBits: 6,
    });
    const paired = await prepared(narrow, engines[0]!, 'pairs');
    expect(paired.kernels.every((k) => k === 'relaxed-dot-i16-pairs')).toBe(true);
    // Full-range 8-bit weights and 7-bit codes: rows 0 and 1 of the one-channel conv can pass
    // 32767 in some lane (127·Σ w⁺), so it keeps the unpaired i16 dot; the other layers match
    // only groups that fit (exactness of those pairs: e2e/engine-exact.spec.ts).
    const wide = await integerModelOf(referenceCnn(), inputData([28, 28, 1], 48, 4, 10), {
      activationBits: 7,
    });
    const refused = await prepared(wide, engines[0]!, 'pairs');
    expect(refused.kernels).toEqual([
      'relaxed-dot-i16',
      'relaxed-dot-i16-pairs',
      'relaxed-dot-i16-pairs',
      'relaxed-dot-i16-pairs',
    ]);
    expect(setInt8Kernel(refused, 0, 'relaxed-dot-i16-pairs')).toBe(false);
    const fixedOnly = await prepared(narrow, engines[1]!, 'pairs');
    expect(fixedOnly.kernels.every((k) => k === 'fixed-dot-i16')).toBe(true);
    // 8-bit codes: neither i16 kernel is exact.
    const codes8 = await prepared(
      await integerModelOf(oddCnn, inputData([15, 15, 3], 64, 3)),
      engines[0]!,
      'pairs',
    );
    expect(codes8.kernels.every((k) => k === 'fixed-dot-i16')).toBe(true);
  });

  it('a single dense layer: logits = (Σ q_x·q_w + q_b) · s_x · s_w exactly', async () => {
    const model = await integerModelOf(
      [dense('logits', 37, 5, 'linear', 51)],
      inputData([37], 64, 9),
    );
    await expectBitExact(model);
  });
});

describe('int8 engine: kernel choice and the predictor', () => {
  it('per-layer timings, a measured choice, and switching kernels keep the codes', async () => {
    const model = await integerModelOf(oddCnn, inputData([15, 15, 3], 64, 3));
    const handle = await prepared(model, engines[0]!);
    const timings = int8LayerTimings(handle, 2, 3);
    expect(timings.map((t) => t.name)).toEqual(['conv1', 'conv2', 'dense1', 'logits']);
    for (const t of timings) {
      expect(Object.keys(t.ms).sort()).toEqual(['fixed-dot-i16', 'relaxed-dot-split']);
      Object.values(t.ms).forEach((ms) => expect(ms).toBeGreaterThanOrEqual(0));
    }
    const x = inputsFor(model, 3, 60);
    const reference = runIntegerModel(model, x, 3);
    const chosen = chooseInt8Kernels(handle, 2, 3);
    expect(chosen).toEqual(handle.kernels);
    expect(chosen.every((k) => k === 'fixed-dot-i16' || k === 'relaxed-dot-split')).toBe(true);
    expect(setInt8Kernel(handle, 1, 'relaxed-dot')).toBe(false); // 8-bit codes: not exact with one dot
    expect(setInt8Kernel(handle, 1, 'relaxed-dot-split')).toBe(true);
    expect(handle.kernels[1]).toBe('relaxed-dot-split');
    handle.kernels.forEach((_, i) =>
      setInt8Kernel(handle, i, relaxedExact ? 'relaxed-dot-split' : 'fixed-dot-i16'),
    );
    expect(runInt8(handle, x, 3)).toEqual(reference);
    const fixedOnly = await prepared(model, engines[1]!);
    expect(setInt8Kernel(fixedOnly, 0, 'relaxed-dot-split')).toBe(false);
  });

  it('int8Predictor: predict(x, batch) equals the reference; one handle serves any batch', async () => {
    const model = await integerModelOf(referenceCnn(3), inputData([28, 28, 1], 32, 10, 10));
    const predictor = await int8Predictor(model, { measureBatch: 2 }); // loadEngine's choice
    if (isFallback(predictor)) throw new Error(predictor.detail);
    expect(predictor.path).toBe(relaxedExact ? 'relaxed-simd' : 'simd');
    expect(predictor.kernels).toHaveLength(4);
    for (const batch of [3, 1, 5]) {
      const x = inputsFor(model, batch, 70 + batch);
      expect(predictor.predict(x, batch)).toEqual(runIntegerModel(model, x, batch));
    }
    expect(predictor.predict(new Float32Array(0), 0)).toHaveLength(0);
    expect(() => predictor.predict(new Float32Array(5), 1)).toThrow(/784 values/);
  });
});

describe('int8 engine: typed reasons to fall back', () => {
  const small = [dense('dense1', 4, 3, 'relu', 61), dense('logits', 3, 2, 'linear', 63)];

  it('accumulators beyond int32 (16-bit grids)', async () => {
    const model = await integerModelOf(small, inputData([4], 32, 11), {
      weights: { bits: 16 },
      activationBits: 16,
    });
    expect(model.accumulatorBits).toBeGreaterThan(32);
    const result = await prepareInt8Model(model, { engine: engines[0]! });
    expect(isFallback(result) && result.fallback).toBe('accumulator-too-wide');
  });

  it('activation codes wider than 8 bits', async () => {
    const model = await integerModelOf(small, inputData([4], 32, 12), {
      weights: { bits: 4 },
      activationBits: 10,
    });
    expect(model.accumulatorBits).toBeLessThanOrEqual(32);
    expect(int8Unsupported(model)?.fallback).toBe('activations-too-wide');
  });

  it('weights that do not fit int8 (8-bit power-of-two codes reach ±2^12)', async () => {
    const model = await integerModelOf(small, inputData([4], 32, 13), {
      weights: { bits: 8, powerOfTwo: true },
    });
    const result = await int8Predictor(model, { engine: engines[1]! });
    expect(isFallback(result) && result.fallback).toBe('weights-too-wide');
    expect(isFallback(result) && result.detail).toMatch(/dense1|logits/);
  });
});
