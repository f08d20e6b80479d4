import { describe, expect, it } from 'vitest';
import type { VariantMeasurement } from './compare';
import { buildResultsDocument } from './results';
import { experimentSchema } from './schema';

const measured = (variant: string, accuracy: number): VariantMeasurement => ({
  variant,
  pipeline: 'teacher',
  accuracy,
  sizeBytes: 4000,
  gzipBytes: null,
  params: 1000,
  macs: 900,
  effectiveMacs: 900,
  latencyB1MedianMs: 1,
  latencyB1P90Ms: 1,
  latencyB32MedianMs: 4,
  latencyB32P90Ms: 4,
  note: '',
});

const experiment = (controls: boolean) =>
  experimentSchema.parse({
    controls,
    variants: [
      { id: 'q', name: 'QAT', stages: [{ technique: 'qat', params: { epochs: 1 } }] },
      { id: 'p', name: 'PTQ', stages: [{ technique: 'ptq' }] },
    ],
  });

describe('buildResultsDocument', () => {
  const teacher = measured('teacher', 0.9);
  const rows = [
    measured('QAT', 0.95),
    measured('fp32 control: +1 epoch', 0.96),
    measured('PTQ', 0.89),
  ];

  it('compares a variant that trains with its measured fp32 control as well as the teacher', () => {
    const doc = buildResultsDocument(experiment(true), 'wasm', teacher, rows);
    const qat = doc.variants.find((r) => r.variant === 'QAT')!;
    expect(qat.accuracyChangePoints).toBeCloseTo(5);
    expect(qat.control).toBe('fp32 control: +1 epoch');
    expect(qat.accuracyChangeVsControlPoints).toBeCloseTo(-1);
    for (const name of ['teacher', 'fp32 control: +1 epoch', 'PTQ']) {
      const row = doc.variants.find((r) => r.variant === name)!;
      expect([row.control, row.accuracyChangeVsControlPoints]).toEqual([null, null]);
    }
  });

  it('has no control Δ before the control is measured or with controls off', () => {
    const early = buildResultsDocument(experiment(true), 'wasm', teacher, rows.slice(0, 1));
    expect(early.variants[1]!.control).toBeNull();
    const off = buildResultsDocument(experiment(false), 'wasm', teacher, rows);
    expect(off.variants.every((r) => r.accuracyChangeVsControlPoints === null)).toBe(true);
  });
});
