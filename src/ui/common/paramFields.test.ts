import { describe, expect, it } from 'vitest';
import { ptqParams } from '../../techniques/quantize/spec';
import { pruneParams } from '../../techniques/prune/spec';
import { paramFields } from './paramFields';

describe('paramFields', () => {
  it('reads numbers, enums and booleans from a stage schema', () => {
    const fields = paramFields(ptqParams);
    const byKey = Object.fromEntries(fields.map((f) => [f.key, f]));
    expect(byKey.mode).toEqual({
      key: 'mode',
      kind: 'enum',
      options: ['weight-only', 'dynamic', 'static'],
    });
    expect(byKey.powerOfTwo).toEqual({ key: 'powerOfTwo', kind: 'boolean' });
    const bits = byKey.weightBits;
    expect(bits?.kind).toBe('number');
    if (bits?.kind === 'number') {
      expect(bits.integer).toBe(true);
      expect(bits.schema.safeParse(1).success).toBe(false);
      expect(bits.schema.safeParse(4).success).toBe(true);
    }
  });

  it('works on refined schemas', () => {
    expect(paramFields(pruneParams).map((f) => f.key)).toContain('sparsity');
  });
});
