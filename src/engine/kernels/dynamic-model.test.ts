import { beforeAll, describe, expect, it } from 'vitest';
import type { NamedLayer } from '../network/layers';
import { buildDynamicModel, runDynamicModel } from '../../techniques/quantize/dynamic';
import type { DynamicModel } from '../../techniques/quantize/dynamic';
import { quantizeLayers } from '../../techniques/quantize/weights';
import type { KernelEngine } from './engine';
import { compileEngine, isFallback } from './engine';
import { prepareDynamicEngine } from './dynamic-model';
import {
  BUILD_TIMEOUT_MS,
  conv,
  dense,
  prepareEngineForTests,
  referenceCnn,
  seeded,
  uniform,
} from './test-support';

/** The fixed-SIMD build: exact in every runtime (Node 20's relaxed SIMD is not). */
let engine: KernelEngine;

beforeAll(async () => {
  await prepareEngineForTests();
  const fixed = await compileEngine('simd');
  if (isFallback(fixed)) throw new Error(fixed.detail);
  engine = fixed;
}, BUILD_TIMEOUT_MS);

function dynamicOf(
  layers: NamedLayer[],
  inputShape: number[],
  bits = 8,
  config: Partial<Parameters<typeof quantizeLayers>[1]> = {},
): DynamicModel {
  const { layers: q, kernels } = quantizeLayers(layers, {
    bits: 8,
    scheme: 'symmetric',
    perChannel: true,
    powerOfTwo: false,
    ...config,
  });
  return buildDynamicModel(q, kernels, bits, inputShape);
}

async function expectSameAsReference(model: DynamicModel, x: Float32Array, batch: number) {
  const prepared = await prepareDynamicEngine(model, engine);
  if (isFallback(prepared)) throw new Error(prepared.detail);
  const got = prepared.run(x, batch);
  expect(Array.from(got)).toEqual(Array.from(runDynamicModel(model, x, batch)));
  return prepared;
}

describe('dynamic quantization on the int8 engine', () => {
  it('an MLP with negative inputs (z_x ≠ 0) equals the JS path bit for bit, batch 1 and 7', async () => {
    const layers = [
      dense('d1', 5, 17, 'relu', 3),
      dense('d2', 17, 9, 'tanh', 5),
      dense('o', 9, 3, 'linear', 7),
    ];
    const model = dynamicOf(layers, [5]);
    const prepared = await expectSameAsReference(model, seeded(5, 1), 1);
    await expectSameAsReference(model, seeded(7 * 5, 2, 3), 7);
    expect(prepared.path).toBe('simd');
    // A new batch sets a new grid: running an earlier batch again gives its old answer.
    const a = seeded(7 * 5, 4);
    const first = prepared.run(a, 7);
    prepared.run(seeded(7 * 5, 9, 10), 7);
    expect(Array.from(prepared.run(a, 7))).toEqual(Array.from(first));
  });

  it('the reference CNN (conv → pool → conv → pool → dense) matches at batch 1 and 3', async () => {
    const model = dynamicOf(referenceCnn(), [28, 28, 1]);
    await expectSameAsReference(model, uniform(28 * 28, 5), 1);
    await expectSameAsReference(model, uniform(3 * 28 * 28, 6), 3);
  }, 60_000);

  it('asymmetric 4-bit weights and 6-bit activations, odd conv sides', async () => {
    const layers: NamedLayer[] = [
      conv('c', 3, 2, 5, 'relu', 11),
      { kind: 'maxpool', name: 'p' },
      { kind: 'flatten', name: 'f' },
      dense('o', 2 * 2 * 5, 4, 'linear', 13),
    ];
    const model = dynamicOf(layers, [7, 7, 2], 6, { bits: 4, scheme: 'asymmetric' });
    await expectSameAsReference(model, uniform(5 * 7 * 7 * 2, 8), 5);
  });

  it('refuses activations wider than 8 bits with a reason, and a wrong input size', async () => {
    const model = dynamicOf([dense('o', 3, 2, 'linear', 1)], [3], 12);
    const refused = await prepareDynamicEngine(model, engine);
    expect(isFallback(refused) && refused.fallback).toBe('activations-too-wide');
    const ok = await prepareDynamicEngine(dynamicOf([dense('o', 3, 2, 'linear', 1)], [3]), engine);
    if (isFallback(ok)) throw new Error(ok.detail);
    expect(() => ok.run(new Float32Array(5), 2)).toThrow(/Expected 2 examples/);
  });
});
