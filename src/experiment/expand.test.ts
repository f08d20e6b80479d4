import { describe, expect, it } from 'vitest';
import { expandVariants } from './expand';
import type { Variant } from './stages';
import { variantSchema } from './stages';

const run = (variants: Variant[], controls = true) => expandVariants({ variants, controls });
const parse = (v: unknown) => variantSchema.parse(v);

describe('expandVariants', () => {
  it('adds a student-alone baseline with the identical configuration', () => {
    const distilled = parse({
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
    const [kd, alone] = run([distilled]);
    expect(kd).toEqual({ ...distilled, role: 'variant' });
    expect(alone!.id).toBe('kd-alone');
    expect(alone!.role).toBe('baseline');
    expect(alone!.student).toEqual(distilled.student);
    expect(alone!.source).toBe('student');
    expect(alone!.stages[0]).toEqual({
      technique: 'finetune',
      params: { epochs: 5, learningRate: 0.002 },
    });
    expect(alone!.stages[1]).toEqual(distilled.stages[1]);
  });

  it('adds nothing when the baseline is switched off, the stage does not train or controls are off', () => {
    const off = parse({
      id: 'kd',
      name: 'KD',
      source: 'student',
      student: { kind: 'mlp', hidden: [8] },
      stages: [{ technique: 'distill', params: { baseline: false } }],
    });
    const ptq = parse({ id: 'q', name: 'Q', stages: [{ technique: 'ptq' }] });
    const noTuning = parse({
      id: 'p0',
      name: 'P0',
      stages: [{ technique: 'prune', params: { finetuneEpochs: 0 } }],
    });
    const pruned = parse({ id: 'p', name: 'P', stages: [{ technique: 'prune' }] });
    expect(run([off, ptq, noTuning])).toHaveLength(3);
    expect(run([pruned], false)).toHaveLength(1);
  });

  it('gives each variant that trains an fp32 control of the same epochs and learning rate, shared', () => {
    const qat = parse({
      id: 'qat',
      name: 'QAT',
      stages: [{ technique: 'qat', params: { epochs: 1, learningRate: 0.0005 } }],
    });
    const pruned = parse({
      id: 'pr',
      name: 'Pruned',
      stages: [{ technique: 'prune', params: { finetuneEpochs: 1, learningRate: 0.0005 } }],
    });
    const iterative = parse({
      id: 'it',
      name: 'Iterative',
      stages: [
        {
          technique: 'prune',
          params: { schedule: 'iterative', rounds: 3, finetuneEpochs: 1, learningRate: 0.001 },
        },
        { technique: 'qat', params: { epochs: 1, learningRate: 0.001 } },
      ],
    });
    const out = run([qat, pruned, iterative]);
    expect(out.map((v) => [v.id, v.role, v.controlId])).toEqual([
      ['qat', 'variant', 'fp32-control-1'],
      ['fp32-control-1', 'control', undefined],
      ['pr', 'variant', 'fp32-control-1'],
      ['it', 'variant', 'fp32-control-2'],
      ['fp32-control-2', 'control', undefined],
    ]);
    expect(out[1]!.stages).toEqual([
      { technique: 'finetune', params: { epochs: 1, learningRate: 0.0005 } },
    ]);
    expect(out[1]!.name).toBe('fp32 control: +1 epoch');
    // Iterative pruning fine-tunes after each of its rounds: 3 epochs, then QAT's one.
    expect(out[4]!.stages).toEqual([
      { technique: 'finetune', params: { epochs: 3, learningRate: 0.001 } },
      { technique: 'finetune', params: { epochs: 1, learningRate: 0.001 } },
    ]);
    expect(out[4]!.name).toBe('fp32 control: +4 epochs');
  });

  it('uses a fine-tune variant that already is the control, and names twins by learning rate', () => {
    const mine = parse({
      id: 'ft',
      name: 'fp32 control: +1 epoch',
      stages: [{ technique: 'finetune', params: { epochs: 1, learningRate: 0.0005 } }],
    });
    const qat = parse({
      id: 'qat',
      name: 'QAT',
      stages: [{ technique: 'qat', params: { epochs: 1, learningRate: 0.0005 } }],
    });
    const lowrank = parse({
      id: 'lr',
      name: 'Low-rank',
      stages: [{ technique: 'lowrank', params: { finetuneEpochs: 1, learningRate: 0.001 } }],
    });
    const out = run([mine, qat, lowrank]);
    expect(out.map((v) => [v.id, v.controlId ?? null])).toEqual([
      ['ft', null],
      ['qat', 'ft'],
      ['lr', 'fp32-control-2'],
      ['fp32-control-2', null],
    ]);
    expect(out[3]!.name).toBe('fp32 control: +1 epoch at lr 0.001');
  });

  it('keeps control ids and names unique against the configured ones', () => {
    const taken = parse({ id: 'fp32-control-1', name: 'fp32 control: +2 epochs', stages: [] });
    const pruned = parse({ id: 'p', name: 'P', stages: [{ technique: 'prune' }] });
    const out = run([taken, pruned]);
    expect(out[2]!.id).toBe('fp32-control-2');
    expect(out[2]!.name).toBe('fp32 control: +2 epochs (2)');
  });
});
