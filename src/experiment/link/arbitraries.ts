// Test helper (not shipped): fast-check arbitraries that mirror the zod schema's ranges.
import fc from 'fast-check';
import { ACTIVATIONS } from '../architecture';
import type { ArchitectureSpec } from '../architecture';
import type { Experiment } from '../schema';
import { BACKENDS, DATASET_IDS } from '../schema';
import type { Stage, Variant } from '../stages';

/** A double in [min, max] (or (min, max] with minExcluded), never NaN or -0. */
function real(min: number, max: number, minExcluded = false): fc.Arbitrary<number> {
  return fc.double({ min, max, minExcluded, noNaN: true }).map((x) => (x === 0 ? 0 : x));
}

const int = (min: number, max: number) => fc.integer({ min, max });
const text = (max: number, min = 0) =>
  fc.string({ unit: 'binary', minLength: min, maxLength: max }).map((s) => s.slice(0, max));
const bits = int(2, 16);
const epochs = int(0, 50);
const stageLr = real(0, 1, true);
// Links drop prototype keys (sanitize.ts), so a round trip could not keep these.
const layerName = fc
  .stringMatching(/^[a-z0-9_]{1,40}$/)
  .filter((k) => !['__proto__', 'constructor', 'prototype'].includes(k));

/** Any valid MLP or CNN architecture. */
export const architectureArb: fc.Arbitrary<ArchitectureSpec> = fc.oneof(
  fc.record({
    kind: fc.constant('mlp' as const),
    hidden: fc.array(int(1, 1024), { maxLength: 6 }),
    activation: fc.constantFrom(...ACTIVATIONS),
  }),
  fc.record({
    kind: fc.constant('cnn' as const),
    convs: fc.array(fc.record({ filters: int(1, 128), kernel: int(1, 7) }), {
      minLength: 1,
      maxLength: 4,
    }),
    dense: fc.array(int(1, 1024), { maxLength: 4 }),
    activation: fc.constantFrom(...ACTIVATIONS),
  }),
);

const scheme = fc.constantFrom('symmetric' as const, 'asymmetric' as const);
const granularity = fc.constantFrom('per-tensor' as const, 'per-channel' as const);

/** Optional per-layer weight bits (mixed precision), absent as often as set. */
const layerBits = fc.option(fc.dictionary(layerName, bits, { maxKeys: 3 }), { nil: undefined });
const withLayerBits = <P extends object>({
  perLayer,
  ...rest
}: P & { perLayer?: Record<string, number> }) =>
  perLayer ? { ...rest, layerBits: perLayer } : rest;

/** Any valid stage of any technique, params over their whole ranges. */
export const stageArb: fc.Arbitrary<Stage> = fc.oneof(
  fc.record({
    technique: fc.constant('finetune' as const),
    params: fc.record({ epochs, learningRate: stageLr }),
  }),
  fc.record({
    technique: fc.constant('ptq' as const),
    params: fc
      .record({
        mode: fc.constantFrom('weight-only' as const, 'dynamic' as const, 'static' as const),
        weightBits: bits,
        activationBits: bits,
        scheme,
        granularity,
        powerOfTwo: fc.boolean(),
        observer: fc.constantFrom('minmax' as const, 'ema' as const, 'percentile' as const),
        emaMomentum: real(0, 0.9999),
        percentile: real(0, 100, true),
        calibrationSize: int(1, 10_000),
        perLayer: layerBits,
      })
      .map(withLayerBits),
  }),
  fc.record({
    technique: fc.constant('qat' as const),
    params: fc
      .record({
        weightBits: bits,
        activationBits: bits,
        scheme,
        granularity,
        learnedScale: fc.boolean(),
        fromScratch: fc.boolean(),
        epochs,
        learningRate: stageLr,
        perLayer: layerBits,
      })
      .map(withLayerBits),
  }),
  fc.record({
    technique: fc.constant('prune' as const),
    params: fc
      .record({
        kind: fc.constantFrom('magnitude' as const, 'structured' as const, 'nm' as const),
        scope: fc.constantFrom('layer' as const, 'global' as const),
        sparsity: real(0, 0.999999),
        criterion: fc.constantFrom(
          'l1' as const,
          'l2' as const,
          'activation' as const,
          'order' as const,
        ),
        a: int(1, 16),
        b: int(1, 16),
        schedule: fc.constantFrom('one-shot' as const, 'iterative' as const, 'gradual' as const),
        rounds: int(1, 10),
        finetuneEpochs: epochs,
        learningRate: stageLr,
        perLayer: fc.option(
          fc.dictionary(layerName, real(0, 0.999999), {
            maxKeys: 3,
          }),
          { nil: undefined },
        ),
      })
      .map(({ a, b, perLayer, ...rest }) => ({
        ...rest,
        n: Math.min(a, b),
        m: Math.max(a, b),
        ...(perLayer ? { layerSparsities: perLayer } : {}),
      })),
  }),
  fc.record({
    technique: fc.constant('distill' as const),
    params: fc.record({
      temperature: real(0, 100, true),
      alpha: real(0, 1),
      hintWeight: real(0, 100),
      relationWeight: real(0, 100),
      attentionWeight: real(0, 1000),
      epochs,
      learningRate: stageLr,
      baseline: fc.boolean(),
    }),
  }),
  fc.record({
    technique: fc.constant('lowrank' as const),
    params: fc.record({
      rankMode: fc.constantFrom('rank' as const, 'energy' as const),
      rank: int(1, 1024),
      energy: real(0, 1, true),
      convs: fc.boolean(),
      finetuneEpochs: epochs,
      learningRate: stageLr,
    }),
  }),
  fc.record({
    technique: fc.constant('share' as const),
    params: fc.record({ bits: int(2, 8), finetuneEpochs: epochs, learningRate: stageLr }),
  }),
);

/** Variants small enough that the link stays under 8 KB even with random doubles everywhere. */
export function variantArb(maxStages = 3): fc.Arbitrary<Variant> {
  return fc
    .record({
      id: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
      name: text(60, 1),
      source: fc.constantFrom('teacher' as const, 'student' as const),
      student: fc.option(architectureArb, { nil: undefined }),
      stages: fc.array(stageArb, { maxLength: maxStages }),
    })
    .map((v) =>
      v.source === 'student' && v.student === undefined ? { ...v, source: 'teacher' as const } : v,
    )
    .map(({ student, ...v }) => (student === undefined ? v : { ...v, student }));
}

/** Random valid experiments over the schema's whole ranges. */
export function experimentArb(maxVariants = 3): fc.Arbitrary<Experiment> {
  return fc.record({
    v: fc.constant(1 as const),
    name: text(120),
    seed: int(0, 2 ** 31 - 1),
    backend: fc.constantFrom('auto' as const, ...BACKENDS),
    controls: fc.boolean(),
    dataset: fc.record({
      id: fc.constantFrom(...DATASET_IDS),
      trainSize: int(10, 60_000),
      testSize: int(10, 10_000),
      noise: real(0, 1),
    }),
    teacher: fc.record({
      architecture: architectureArb,
      training: fc.record({
        optimizer: fc.constantFrom('adam' as const, 'sgd' as const),
        learningRate: real(0, 10, true),
        momentum: real(0, 0.999),
        batchSize: int(1, 4096),
        epochs: int(1, 200),
      }),
    }),
    variants: fc.uniqueArray(variantArb(), { maxLength: maxVariants, selector: (v) => v.id }),
  });
}
