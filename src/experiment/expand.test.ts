import { describe, expect, it } from 'vitest';
import { expandVariants } from './expand';
import { variantSchema } from './stages';

describe('expandVariants', () => {
  it('adds a student-alone baseline with the identical configuration', () => {
    const distilled = variantSchema.parse({
      id: 'kd',
      name: 'Distilled',
      source: 'student',
      student: { kind: 'mlp', hidden: [8] },
      stages: [
        {
          technique: 'distill',
          params: { temperature: 4, alpha: 0.7, epochs: 5, learningRate: 0.002 },
        },
        { technique: 'ptq', params: { mode: 'static' } },
      ],
    });
    const [kd, alone] = expandVariants([distilled]);
    expect(kd).toBe(distilled);
    expect(alone!.id).toBe('kd-alone');
    expect(alone!.student).toEqual(distilled.student);
    expect(alone!.source).toBe('student');
    expect(alone!.stages[0]).toEqual({
      technique: 'finetune',
      params: { epochs: 5, learningRate: 0.002 },
    });
    expect(alone!.stages[1]).toEqual(distilled.stages[1]);
  });

  it('adds nothing when the baseline is switched off or there is no distillation', () => {
    const off = variantSchema.parse({
      id: 'kd',
      name: 'KD',
      source: 'student',
      student: { kind: 'mlp', hidden: [8] },
      stages: [{ technique: 'distill', params: { baseline: false } }],
    });
    const pruned = variantSchema.parse({ id: 'p', name: 'P', stages: [{ technique: 'prune' }] });
    expect(expandVariants([off, pruned])).toHaveLength(2);
  });
});
