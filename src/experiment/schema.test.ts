import { describe, expect, it } from 'vitest';
import { experimentSchema, numClassesOf, trainingSchema } from './schema';

describe('experiment schema', () => {
  it('fills every field from defaults', () => {
    const e = experimentSchema.parse({});
    expect(e.v).toBe(1);
    expect(e.dataset.id).toBe('spiral');
    expect(e.teacher.training.optimizer).toBe('adam');
  });

  it('rejects invalid hyperparameters with readable messages', () => {
    const lr = trainingSchema.safeParse({ learningRate: 0 });
    expect(lr.success).toBe(false);
    expect(lr.error?.issues[0]?.message).toMatch(/learning rate must be above 0/);
    const batch = trainingSchema.safeParse({ batchSize: 0 });
    expect(batch.error?.issues[0]?.message).toMatch(/batch size must be at least 1/);
    const wide = experimentSchema.safeParse({
      teacher: { architecture: { kind: 'mlp', hidden: [100000] } },
    });
    expect(wide.success).toBe(false);
  });

  it('knows the class counts', () => {
    expect(numClassesOf('mnist')).toBe(10);
    expect(numClassesOf('moons')).toBe(2);
    expect(numClassesOf('spiral')).toBe(3);
  });
});
