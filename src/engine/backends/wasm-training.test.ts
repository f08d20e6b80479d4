import type * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { buildModel } from '../network/build';
import { registerFastWasmTraining } from './wasm-training';
import type { ModelBatch } from './wasm-test-setup';
import {
  expectGradientsMatchCpu,
  expectRegisteredOnce,
  seededBatch,
  useWasmBackend,
  wasmAdamLosses,
} from './wasm-test-setup';

const OVERRIDDEN = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'MaxPoolGrad',
  'BatchMatMul',
  '_FusedMatMul',
];

/** A scaled-down reference teacher: conv3×3×4 → pool → conv3×3×8 → pool → dense 16 → 3. */
function smallTeacher(): tf.Sequential {
  const spec = {
    kind: 'cnn' as const,
    convs: [
      { filters: 4, kernel: 3 },
      { filters: 8, kernel: 3 },
    ],
    dense: [16],
    activation: 'relu' as const,
  };
  return buildModel(spec, [14, 14, 1], 3, 7);
}

const teacherBatch = (count: number, seed: number): ModelBatch =>
  seededBatch(smallTeacher(), [14, 14, 1], count, seed);

useWasmBackend(registerFastWasmTraining);

describe('registerFastWasmTraining', () => {
  it('registers every override and is idempotent', () => {
    expectRegisteredOnce(registerFastWasmTraining, OVERRIDDEN);
  });

  it('gives the same CNN gradients as cpu (relative 1e-4)', async () => {
    await expectGradientsMatchCpu(() => teacherBatch(10, 3), 8);
  });

  it('trains with Adam on wasm with falling loss and no leaked tensors or buffers', async () => {
    const { first, last } = await wasmAdamLosses(() => teacherBatch(24, 5), 25);
    expect(last).toBeLessThan(first * 0.7);
  });
});
