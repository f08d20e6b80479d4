import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET, PRESETS, findPreset } from './presets';
import { expandVariants } from './expand';
import { experimentSchema } from './schema';

describe('presets', () => {
  it('are valid experiments with unique ids', () => {
    const ids = new Set(PRESETS.map((p) => p.id));
    expect(ids.size).toBe(PRESETS.length);
    for (const p of PRESETS) expect(experimentSchema.safeParse(p.experiment).success).toBe(true);
  });

  it('include the reference teacher and a default that shows compression at once', () => {
    const cnn = findPreset('mnist-cnn')!.experiment.teacher.architecture;
    expect(cnn).toMatchObject({
      kind: 'cnn',
      convs: [{ filters: 16 }, { filters: 32 }],
      dense: [128],
    });
    const first = DEFAULT_PRESET.experiment;
    expect(first.dataset.id).toBe('mnist');
    expect(first.variants.map((v) => v.stages.map((s) => s.technique).join('+'))).toEqual([
      'ptq',
      'qat',
      'prune',
      'distill',
    ]);
  });
});

describe('seed-table preset', () => {
  it('holds the classic comparison: teacher (FP32) plus the five compressed variants', () => {
    const e = findPreset('seed-table')!.experiment;
    expect(e.dataset.id).toBe('mnist');
    expect(e.variants.map((v) => v.stages.map((s) => s.technique).join('+'))).toEqual([
      'ptq',
      'ptq',
      'qat',
      'prune',
      'distill',
    ]);
    // Full scale, the settings PyTorch reaches 97.7 % with after one epoch.
    expect([e.dataset.trainSize, e.dataset.testSize]).toEqual([60_000, 10_000]);
    expect(e.teacher.training).toMatchObject({
      optimizer: 'adam',
      learningRate: 0.001,
      batchSize: 128,
      epochs: 1,
    });
    // QAT and pruning fine-tune alike, so one fp32 control serves both.
    const controls = expandVariants(e).filter((v) => v.role === 'control');
    expect(controls.map((c) => c.stages)).toEqual([
      [{ technique: 'finetune', params: { epochs: 1, learningRate: 0.0005 } }],
    ]);
    const distilled = e.variants.find((v) => v.id === 'distilled')!;
    expect(distilled.source).toBe('student');
    expect(distilled.stages[0]).toMatchObject({ technique: 'distill', params: { baseline: true } });
  });
});
