import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { variantSchema } from '../../experiment/stages';
import type { Dataset } from '../data/types';
import { buildModel } from '../network/build';
import { cloneModel } from '../network/handle';
import type { ModelHandle } from '../network/stage-types';
import type { TechniqueStage } from '../../techniques/technique';
import type { StageLoader } from './registry';
import { StageError } from '../network/stage-types';
import { RunControl } from '../train/control';
import type { RunEvent } from './runner';
import { clearCache, measureVariant, runVariant } from './runner';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const data: Dataset = {
  id: 'toy',
  inputShape: [2],
  numClasses: 2,
  classNames: ['a', 'b'],
  train: {
    x: new Float32Array([0, 1, 1, 0, 1, 1, 0, 0]),
    y: new Uint8Array([0, 1, 1, 0]),
    count: 4,
  },
  validation: { x: new Float32Array([1, 0]), y: new Uint8Array([1]), count: 1 },
  test: { x: new Float32Array([0, 1, 1, 0]), y: new Uint8Array([0, 1]), count: 2 },
};

function fakeRegistry(calls: string[]): StageLoader {
  const fake = (id: string): TechniqueStage<unknown> => ({
    async run(_ctx, input: ModelHandle) {
      calls.push(id);
      if (id === 'lowrank') throw new StageError('rank too large');
      return { ...input, model: await cloneModel(input.model), label: id, notes: [`${id} done`] };
    },
  });
  return async (id) => fake(id);
}

describe('runVariant', () => {
  it('reuses cached upstream stages and measures the result', async () => {
    const spec = { kind: 'mlp' as const, hidden: [4], activation: 'relu' as const };
    const teacher = buildModel(spec, [2], 2, 1);
    const before = tf.memory().numTensors;
    const calls: string[] = [];
    const events: RunEvent[] = [];
    const cache = new Map<string, ModelHandle>();
    const options = {
      data,
      teacher,
      teacherArchitecture: spec,
      seed: 1,
      control: new RunControl(),
      stages: fakeRegistry(calls),
      cache,
      teacherKey: 'k',
      onEvent: (e: RunEvent) => events.push(e),
      onStep: () => {},
    };
    const a = variantSchema.parse({
      id: 'a',
      name: 'A',
      stages: [{ technique: 'prune' }, { technique: 'ptq' }],
    });
    const b = variantSchema.parse({
      id: 'b',
      name: 'B',
      stages: [{ technique: 'prune' }, { technique: 'qat' }],
    });
    const handleA = await runVariant(a, options);
    await runVariant(b, options);
    expect(calls).toEqual(['prune', 'ptq', 'qat']);
    expect(events.filter((e) => e.kind === 'stage' && e.status === 'reused')).toHaveLength(1);
    const measurement = await measureVariant(a, handleA, options, 'teacher → prune → ptq');
    expect(measurement.variant).toBe('A');
    expect(measurement.sizeBytes).toBe(4 * (2 * 4 + 4 + 4 * 2 + 2));
    expect(measurement.latencyB1MedianMs).toBeGreaterThan(0);
    expect(measurement.note).toMatch(
      /^ptq done; Timed on: (dense float kernels \(tfjs\)|f32 wasm engine)/,
    );
    clearCache(cache, teacher);
    expect(tf.memory().numTensors).toBe(before);
    await expect(
      runVariant(
        variantSchema.parse({ id: 'c', name: 'C', stages: [{ technique: 'lowrank' }] }),
        options,
      ),
    ).rejects.toThrow('rank too large');
    teacher.dispose();
  });
});
