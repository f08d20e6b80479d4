import { describe, expect, it } from 'vitest';
import type { VariantMeasurement } from '../../../experiment/compare';
import { variantSchema } from '../../../experiment/stages';
import { bitsSeries } from './bits';

const v = (id: string, technique: 'ptq' | 'qat', weightBits: number) =>
  variantSchema.parse({ id, name: id, stages: [{ technique, params: { weightBits } }] });
const r = (variant: string, accuracy: number) => ({ variant, accuracy }) as VariantMeasurement;

describe('bitsSeries', () => {
  it('puts PTQ and QAT accuracies on one axis of weight bits, widest first', () => {
    const variants = [v('p8', 'ptq', 8), v('p4', 'ptq', 4), v('q4', 'qat', 4), v('p2', 'ptq', 2)];
    const results = [r('p8', 0.9), r('p4', 0.8), r('q4', 0.88), r('p2', 0.5), r('teacher', 0.91)];
    expect(bitsSeries(variants, results)).toEqual([
      { bits: 8, ptq: 90 },
      { bits: 4, ptq: 80, qat: 88 },
      { bits: 2, ptq: 50 },
    ]);
  });
});
