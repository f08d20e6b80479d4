import { describe, expect, it } from 'vitest';
import {
  measurementSchema,
  parseMeasurement,
  parseTeacherOutcome,
  teacherKey,
} from './measurement';
import type { VariantMeasurement } from './measurement';
import { reportedRowSchema } from './link/reported';
import { DEFAULT_PRESET } from './presets';

const row: VariantMeasurement = {
  variant: 'INT8 PTQ',
  pipeline: 'teacher → ptq',
  accuracy: 0.91,
  sizeBytes: 4096,
  gzipBytes: 3000,
  params: 1000,
  macs: 2000,
  effectiveMacs: 1000,
  latencyB1MedianMs: 0.2,
  latencyB1P90Ms: 0.3,
  latencyB32MedianMs: null,
  latencyB32P90Ms: null,
  note: 'Timed on: wasm int8 engine',
};

const outcome = {
  key: 'k',
  accuracy: 0.9,
  confusion: [5, 0, 1, 4],
  numClasses: 2,
  params: 10,
  steps: 3,
  elapsedMs: 12,
  samplesPerSec: 100,
  backend: 'wasm',
  epochs: [{ epoch: 1, testAccuracy: 0.9 }],
  measurement: row,
};

describe('the measurement schema', () => {
  it('accepts a full row, drops unknown fields, rejects wrong types and ranges', () => {
    expect(parseMeasurement(row)).toEqual(row);
    expect(parseMeasurement({ ...row, extra: 1 })).toEqual(row);
    expect(parseMeasurement({ ...row, accuracy: 1.2 })).toBeNull();
    expect(parseMeasurement({ ...row, sizeBytes: 1.5 })).toBeNull();
    expect(parseMeasurement({ ...row, latencyB1MedianMs: -1 })).toBeNull();
    expect(parseMeasurement({ ...row, latencyB32MedianMs: 'fast' })).toBeNull();
    const { note: _note, ...withoutNote } = row;
    expect(parseMeasurement(withoutNote)).toBeNull();
    expect(parseMeasurement(null)).toBeNull();
  });

  it('a teacher outcome carries its key; an older one without a key reads as key ""', () => {
    expect(parseTeacherOutcome(outcome)).toEqual(outcome);
    const { key: _key, ...old } = outcome;
    expect(parseTeacherOutcome(old)?.key).toBe('');
    expect(parseTeacherOutcome({ ...outcome, backend: 'tpu' })).toBeNull();
    expect(parseTeacherOutcome({ ...outcome, measurement: { ...row, accuracy: 'x' } })).toBeNull();
  });

  it("the link's reported rows use the measurement's bounds for accuracy, bytes and latency", () => {
    const ok = { variant: 'int8', accuracy: 0.5, sizeBytes: 10, latencyMs: null };
    expect(reportedRowSchema.safeParse(ok).success).toBe(true);
    const cases: [Record<string, number>, Record<string, number>][] = [
      [{ accuracy: 2 }, { accuracy: 2 }],
      [{ sizeBytes: -1 }, { sizeBytes: -1 }],
      [{ latencyMs: 2e7 }, { latencyB1MedianMs: 2e7 }],
    ];
    for (const [reported, measured] of cases) {
      expect(reportedRowSchema.safeParse({ ...ok, ...reported }).success).toBe(false);
      expect(measurementSchema.safeParse({ ...row, ...measured }).success).toBe(false);
    }
  });

  it('teacherKey depends on dataset, seed and teacher spec only', () => {
    const e = DEFAULT_PRESET.experiment;
    const withoutVariants: typeof e = { ...e, variants: [] };
    expect(teacherKey(withoutVariants)).toBe(teacherKey(e));
    expect(teacherKey({ ...e, seed: e.seed + 1 })).not.toBe(teacherKey(e));
    const training = { ...e.teacher.training, epochs: e.teacher.training.epochs + 1 };
    expect(teacherKey({ ...e, teacher: { ...e.teacher, training } })).not.toBe(teacherKey(e));
  });
});
