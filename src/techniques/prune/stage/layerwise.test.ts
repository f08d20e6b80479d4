import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { pruneParams } from '../spec';
import type { PruneParams } from '../spec';
import {
  MLP,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
} from '../../../engine/network/test-fixtures';
import { runPrune } from './prune';
import { computeMasks } from './magnitude-stage';
import type { ModelHandle } from '../../../engine/network/stage-types';

/** Per-layer sparsity (`layerSparsities`) in the prune stage: exact zeros per named layer. */

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Zero count of each stored kernel, by layer name. */
function kernelZeros(handle: ModelHandle): Record<string, number> {
  const out: Record<string, number> = {};
  for (const layer of handle.model.layers) {
    const kernel = layer.getWeights()[0];
    if (kernel) out[layer.name] = Array.from(kernel.dataSync()).filter((v) => v === 0).length;
  }
  return out;
}

// MLP [2]→16→8→3: kernels dense1 32, dense2 128, logits 24 weights.
const OVERRIDES = { dense1: 0.25, logits: 0.75 };
// round(0.25·32) = 8, round(0.5·128) = 64 (the default sparsity), round(0.75·24) = 18.
const EXPECTED = { dense1: 8, dense2: 64, logits: 18 };

async function pruned(params: Partial<PruneParams>): Promise<ModelHandle> {
  const data = blobs();
  const teacher = await trainedTeacher(MLP, data, 2);
  try {
    return await runPrune(testContext(data, teacher.model), teacher, {
      ...pruneParamsWith({ finetuneEpochs: 1 }),
      ...params,
    });
  } finally {
    teacher.model.dispose();
  }
}

describe('prune stage: per-layer sparsities', () => {
  it('validates layer names and sparsities in the schema', () => {
    const ok = pruneParams.parse({ layerSparsities: { dense1: 0.3, conv_2: 0 } });
    expect(ok.layerSparsities).toEqual({ dense1: 0.3, conv_2: 0 });
    expect(pruneParams.parse({}).layerSparsities).toBeUndefined();
    expect(pruneParams.safeParse({ layerSparsities: { Dense1: 0.3 } }).success).toBe(false);
    expect(pruneParams.safeParse({ layerSparsities: { dense1: 1 } }).success).toBe(false);
    expect(pruneParams.safeParse({ layerSparsities: { dense1: -0.1 } }).success).toBe(false);
  });

  it('computes per-layer magnitude masks by hand, and global scope ignores them', () => {
    const a = { values: Float32Array.from([0.1, -3, 0.2, 4]), shape: [4, 1] };
    const b = { values: Float32Array.from([-0.05, 5, 0.5, 2]), shape: [4, 1] };
    const params = { kind: 'magnitude', scope: 'layer', n: 2, m: 4 } as const;
    // a at 0.75 → the 3 smallest |w| (0.1, 0.2, 3) go; b keeps the default 0.25 → 0.05 goes.
    const masks = computeMasks([a, b], params, 0.25, [0.75, undefined]);
    expect(masks.map((m) => Array.from(m))).toEqual([
      [0, 0, 0, 1],
      [0, 1, 1, 1],
    ]);
    const global = computeMasks([a, b], { ...params, scope: 'global' }, 0.25, [0.75, undefined]);
    // Global 25 % of 8 weights: 0.05 and 0.1 go, whatever perLayer says.
    expect(global.map((m) => Array.from(m))).toEqual([
      [0, 1, 1, 1],
      [0, 1, 1, 1],
    ]);
  });

  it('one-shot: each named layer gets exactly round(sᵢ·nᵢ) zeros, the others round(s·n)', async () => {
    const tensors = tf.memory().numTensors;
    const out = await pruned({ layerSparsities: OVERRIDES });
    expect(kernelZeros(out)).toEqual(EXPECTED);
    expect(out.label).toBe('prune 50% per layer (2 layers own %)');
    expect(out.notes.some((n) => n.includes('ignored'))).toBe(false);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('iterative and gradual schedules end exactly at each layer’s own target', async () => {
    const iterative = await pruned({
      layerSparsities: OVERRIDES,
      schedule: 'iterative',
      rounds: 2,
    });
    expect(kernelZeros(iterative)).toEqual(EXPECTED);
    iterative.model.dispose();
    const gradual = await pruned({
      layerSparsities: OVERRIDES,
      schedule: 'gradual',
      finetuneEpochs: 2,
    });
    expect(gradual.notes.some((n) => n.includes('one shot'))).toBe(false);
    expect(kernelZeros(gradual)).toEqual(EXPECTED);
    gradual.model.dispose();
  });

  it('global scope ignores them and says so; unknown layers are reported', async () => {
    const global = await pruned({ layerSparsities: OVERRIDES, scope: 'global' });
    const zeros = Object.values(kernelZeros(global)).reduce((n, z) => n + z, 0);
    expect(zeros).toBe(Math.round(0.5 * (32 + 128 + 24)));
    expect(global.notes).toContain(
      'per-layer sparsities ignored: they apply to layer-wise magnitude pruning only',
    );
    global.model.dispose();
    const unknown = await pruned({ layerSparsities: { dense1: 0.25, conv9: 0.9 } });
    expect(kernelZeros(unknown)).toEqual({ dense1: 8, dense2: 64, logits: 12 });
    expect(unknown.notes).toContain('per-layer sparsities for unknown layers ignored: conv9');
    unknown.model.dispose();
  });
});
