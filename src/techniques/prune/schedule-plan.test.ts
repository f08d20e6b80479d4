import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { finetuneBatchSize } from './stage/pruned-handle';
import {
  MLP,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
} from '../../engine/network/test-fixtures';
import { extractLayers } from '../../engine/network/layer-ir';
import { pruneMasked } from './stage/magnitude-stage';
import { MaskedDense } from './stage/masked-layers';
import { isPruningStep } from './schedule';
import {
  GRADUAL_TOO_SHORT_NOTE,
  plannedSparsityAt,
  pruneBatchSize,
  schedulePlan,
  stepsPerEpochOf,
} from './schedule-plan';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const cubic = (t: number, end: number, sf: number) => sf + (0 - sf) * (1 - t / end) ** 3;

describe('steps of a prune stage', () => {
  it('uses the fine-tuning batch the stage trains with', () => {
    for (const shape of [[2], [28, 28, 1], [8, 8, 1]]) {
      expect(pruneBatchSize(shape)).toBe(finetuneBatchSize(shape));
    }
    expect(pruneBatchSize([2])).toBe(32);
    expect(pruneBatchSize([28, 28, 1])).toBe(128);
  });

  it('counts ⌈n / batch⌉ steps an epoch', () => {
    expect(stepsPerEpochOf(400, 32)).toBe(13);
    expect(stepsPerEpochOf(384, 32)).toBe(12);
    expect(stepsPerEpochOf(1, 128)).toBe(1);
    expect(stepsPerEpochOf(0, 32)).toBe(0);
    expect(() => stepsPerEpochOf(10, 0)).toThrow(RangeError);
  });
});

describe('schedulePlan', () => {
  it('one-shot: one update to s_f before step 0, then R = epochs · steps/epoch steps', () => {
    const plan = schedulePlan(pruneParamsWith({ sparsity: 0.6, finetuneEpochs: 3 }), 13);
    expect(plan).toMatchObject({ layout: 'one-shot', totalSteps: 39, stepsPerRound: 39 });
    expect(plan.updates).toEqual([{ step: 0, sparsity: 0.6 }]);
    expect(plan.note).toBeNull();
  });

  it('iterative: K rounds of R steps, plateaus at 1 − (1 − s_f)^(k/K)', () => {
    const params = pruneParamsWith({ schedule: 'iterative', rounds: 3, sparsity: 0.875 });
    const plan = schedulePlan({ ...params, finetuneEpochs: 2 }, 5);
    expect(plan.totalSteps).toBe(30);
    expect(plan.updates.map((u) => u.step)).toEqual([0, 10, 20]);
    // 1 − 0.125^(1/3) = 0.5, 1 − 0.125^(2/3) = 0.75, then exactly s_f.
    expect(plan.updates[0]!.sparsity).toBeCloseTo(0.5, 12);
    expect(plan.updates[1]!.sparsity).toBeCloseTo(0.75, 12);
    expect(plan.updates[2]!.sparsity).toBe(0.875);
    expect(plannedSparsityAt(plan, -1)).toBe(0);
    expect(plannedSparsityAt(plan, 9)).toBeCloseTo(0.5, 12);
    expect(plannedSparsityAt(plan, 10)).toBeCloseTo(0.75, 12);
    expect(plannedSparsityAt(plan, 30)).toBe(0.875);

    const four = schedulePlan({ ...params, rounds: 4, sparsity: 0.9 }, 7);
    four.updates.forEach((u, i) => {
      expect(u.sparsity).toBeCloseTo(1 - 0.1 ** ((i + 1) / 4), 12);
      expect(u.step).toBe(i * 7);
    });
  });

  it('gradual: mask updates at every pruning step, on s_t = s_f + (s_i − s_f)(1 − t/T)³', () => {
    // R = 100: T = 75, every 5 steps → 16 updates.
    const plan = schedulePlan(pruneParamsWith({ schedule: 'gradual', sparsity: 0.8 }), 100);
    expect(plan.layout).toBe('gradual');
    expect(plan.ramp).toMatchObject({ beginStep: 0, endStep: 75, frequency: 5 });
    expect(plan.updates.map((u) => u.step)).toEqual([...Array(16).keys()].map((k) => 5 * k));
    for (const u of plan.updates) expect(u.sparsity).toBeCloseTo(cubic(u.step, 75, 0.8), 12);
    // Hand value: t = 30 → 0.8·(1 − 0.6³) = 0.6272.
    expect(plan.updates[6]!.sparsity).toBeCloseTo(0.6272, 12);
    expect(plan.updates.at(-1)).toEqual({ step: 75, sparsity: 0.8 });
    // The updates are exactly the steps the stage prunes at.
    const pruning = [...Array(100).keys()].filter((t) => isPruningStep(t, plan.ramp!));
    expect(plan.updates.map((u) => u.step)).toEqual(pruning);
  });

  it('gradual on a short run: T = round(0.75·R), a mask every step', () => {
    const plan = schedulePlan(pruneParamsWith({ schedule: 'gradual', finetuneEpochs: 2 }), 13);
    expect(plan.totalSteps).toBe(26);
    expect(plan.ramp?.endStep).toBe(20);
    expect(plan.updates).toHaveLength(21);
    expect(plan.updates[10]!.sparsity).toBeCloseTo(0.5 * (1 - 0.125), 12);
    expect(plannedSparsityAt(plan, 25)).toBe(0.5);
  });

  it('falls back to one shot with the stage’s note when R < 2', () => {
    const plan = schedulePlan(pruneParamsWith({ schedule: 'gradual', finetuneEpochs: 1 }), 1);
    expect(plan).toMatchObject({ layout: 'one-shot', totalSteps: 1, refused: false });
    expect(plan.note).toBe(GRADUAL_TOO_SHORT_NOTE);
    const none = schedulePlan(pruneParamsWith({ schedule: 'iterative', finetuneEpochs: 0 }), 9);
    expect(none.totalSteps).toBe(0);
    expect(none.updates.map((u) => u.step)).toEqual([0, 0, 0]);
  });

  it('N:M prunes 1 − N/M once; combinations the stage refuses are flagged', () => {
    const nm = schedulePlan(pruneParamsWith({ kind: 'nm', n: 1, m: 4 }), 10);
    expect(nm).toMatchObject({ layout: 'one-shot', finalSparsity: 0.75, refused: false });
    const nmGradual = schedulePlan(pruneParamsWith({ kind: 'nm', schedule: 'gradual' }), 10);
    expect(nmGradual.refused).toBe(true);
    expect(nmGradual.note).toMatch(/one-shot/);
    const structured = pruneParamsWith({ kind: 'structured', schedule: 'gradual' });
    expect(schedulePlan(structured, 10).refused).toBe(true);
    expect(schedulePlan({ ...structured, schedule: 'iterative' }, 10).layout).toBe('iterative');
  });
});

describe('the stage runs the plan', () => {
  it('gradual: as many mask updates as planned, at the planned sparsities', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data, 1);
    const tensors = tf.memory().numTensors;
    const params = pruneParamsWith({ schedule: 'gradual', sparsity: 0.75, finetuneEpochs: 2 });
    const ctx = testContext(data, teacher.model);
    const plan = schedulePlan(params, stepsPerEpochOf(192, 32));
    const setMask = vi.spyOn(MaskedDense.prototype, 'setMask');
    const { model } = await pruneMasked(ctx, extractLayers(teacher.model), params);
    // Layers 2→16→8→3: the second (16·8 = 128 weights) is every 3rd call from index 1.
    const zeros = setMask.mock.calls
      .filter((_, i) => i % 3 === 1)
      .map(([m]) => m.reduce((n, v) => n + (v === 0 ? 1 : 0), 0));
    setMask.mockRestore();
    expect(zeros).toEqual(plan.updates.map((u) => Math.round(u.sparsity * 128)));
    expect(ctx.steps).toHaveLength(plan.totalSteps);
    expect(ctx.steps.at(-1)!.totalSteps).toBe(plan.totalSteps);
    model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    teacher.model.dispose();
  });
});
