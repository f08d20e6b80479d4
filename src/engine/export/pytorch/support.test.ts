import { describe, expect, it } from 'vitest';
import { experimentExportReason, variantExportReason } from './support';
import { experimentOf } from './test-support';

function reasonFor(
  stages: unknown[],
  variant: Record<string, unknown> = {},
  doc = {},
): string | null {
  const experiment = experimentOf({
    dataset: { id: 'mnist' },
    teacher: { architecture: { kind: 'cnn' } },
    ...doc,
    variants: [{ id: 'v', name: 'V', stages, ...variant }],
  });
  return variantExportReason(experiment, experiment.variants[0]!);
}

describe('variantExportReason', () => {
  it('accepts every technique on the teacher', () => {
    for (const technique of ['finetune', 'ptq', 'qat', 'prune', 'distill', 'lowrank']) {
      expect(reasonFor([{ technique }])).toBeNull();
    }
  });

  it('refuses training after a converted (static or dynamic PTQ, QAT) model, not after weight-only', () => {
    expect(reasonFor([{ technique: 'ptq' }, { technique: 'finetune' }])).toMatch(/converted/);
    expect(
      reasonFor([{ technique: 'ptq', params: { mode: 'dynamic' } }, { technique: 'finetune' }]),
    ).toMatch(/converted/);
    expect(reasonFor([{ technique: 'qat' }, { technique: 'distill' }])).toMatch(/Distillation/);
    expect(
      reasonFor([{ technique: 'ptq', params: { mode: 'weight-only' } }, { technique: 'finetune' }]),
    ).toBeNull();
  });

  it('refuses low-rank after any quantization until pruning makes the weights float again', () => {
    const dynamic = { technique: 'ptq', params: { mode: 'weight-only' } };
    expect(reasonFor([dynamic, { technique: 'lowrank' }])).toMatch(/float weights/);
    expect(reasonFor([dynamic, { technique: 'prune' }, { technique: 'lowrank' }])).toBeNull();
  });

  it('refuses N:M and structured pruning on schedules the app refuses', () => {
    const nm = { technique: 'prune', params: { kind: 'nm', schedule: 'iterative' } };
    expect(reasonFor([nm])).toMatch(/one-shot/);
    const structured = { technique: 'prune', params: { kind: 'structured', schedule: 'gradual' } };
    expect(reasonFor([structured])).toMatch(/gradually/);
    expect(reasonFor([{ ...structured, params: { kind: 'structured' } }])).toBeNull();
  });

  it('refuses QAT on an untrained student unless from scratch or after training', () => {
    const student = { source: 'student', student: { kind: 'mlp', hidden: [8] } };
    expect(reasonFor([{ technique: 'qat' }], student)).toMatch(/not been trained/);
    expect(reasonFor([{ technique: 'qat', params: { fromScratch: true } }], student)).toBeNull();
    expect(reasonFor([{ technique: 'distill' }, { technique: 'qat' }], student)).toBeNull();
  });

  it('refuses hints when the teacher has no hidden dense layer', () => {
    const hint = [{ technique: 'distill', params: { hintWeight: 1 } }];
    expect(reasonFor(hint)).toBeNull();
    const flat = { teacher: { architecture: { kind: 'cnn', dense: [] } } };
    expect(reasonFor(hint, {}, flat)).toMatch(/hint weight/);
  });

  it('refuses CNN students on 2-D points and conv stacks that leave no pixels', () => {
    const cnnStudent = { source: 'student', student: { kind: 'cnn' } };
    const points = { dataset: { id: 'moons' }, teacher: { architecture: { kind: 'mlp' } } };
    expect(reasonFor([{ technique: 'distill' }], cnnStudent, points)).toMatch(/student is a CNN/);
    const deep = {
      kind: 'cnn',
      convs: [
        { filters: 4, kernel: 7 },
        { filters: 4, kernel: 7 },
        { filters: 4, kernel: 7 },
      ],
    };
    const experiment = experimentOf({ teacher: { architecture: deep }, dataset: { id: 'mnist' } });
    expect(experimentExportReason(experiment)).toMatch(/conv block 3 leaves no pixels/);
  });
});
