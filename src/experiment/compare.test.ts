import { describe, it, expect } from 'vitest';
import type { VariantMeasurement } from './compare';
import {
  RESULT_COLUMNS,
  compareToTeacher,
  csvField,
  formatTimes,
  measuredSpeedNote,
  resultRow,
  resultsToCsv,
  safeRatio,
} from './compare';

const teacher: VariantMeasurement = {
  variant: 'teacher',
  pipeline: 'teacher',
  accuracy: 0.98,
  sizeBytes: 4000,
  gzipBytes: 3700,
  params: 1000,
  macs: 900,
  effectiveMacs: 900,
  latencyB1MedianMs: 2,
  latencyB1P90Ms: 2.5,
  latencyB32MedianMs: 12,
  latencyB32P90Ms: 14,
  note: '',
};
const int8: VariantMeasurement = {
  ...teacher,
  variant: 'int8',
  pipeline: 'teacher → ptq int8',
  accuracy: 0.975,
  sizeBytes: 1000,
  gzipBytes: null,
  latencyB1MedianMs: 0.5,
  latencyB32MedianMs: null,
  note: 'runs dequantized in float',
};

describe('compareToTeacher', () => {
  it('derives compression ratio, accuracy change in points and speedups', () => {
    const c = compareToTeacher(int8, teacher);
    expect(c.compressionRatio).toBe(4);
    expect(c.accuracyChangePoints).toBeCloseTo(-0.5, 10);
    expect(c.speedupB1).toBe(4);
    expect(c.speedupB32).toBeNull();
  });

  it('takes speedups against the teacher timed beside the variant when it was', () => {
    // The teacher's own row says 12 ms at batch 32; timed in alternation with the variant it
    // took 9 ms (the machine was busier when the row was measured): 9 / 3 = 3×, not 12 / 3.
    const paired = {
      ...int8,
      latencyB32MedianMs: 3,
      pairedTeacherB1MedianMs: 1,
      pairedTeacherB32MedianMs: 9,
    };
    const c = compareToTeacher(paired, teacher);
    expect([c.speedupB1, c.speedupB32]).toEqual([2, 3]);
    expect(measuredSpeedNote(teacher, paired)).toBe(
      "Measured 3.0× the teacher's speed at batch 32, 2.0× at batch 1, the teacher timed in " +
        'alternation with it (faster than the teacher).',
    );
  });

  it('gives the teacher ratio 1 and change 0 against itself', () => {
    expect(compareToTeacher(teacher, teacher)).toEqual({
      compressionRatio: 1,
      accuracyChangePoints: 0,
      speedupB1: 1,
      speedupB32: 1,
    });
  });

  it('returns null rather than Infinity or NaN for unusable denominators', () => {
    expect(safeRatio(10, 0)).toBeNull();
    expect(safeRatio(10, -1)).toBeNull();
    expect(safeRatio(Number.NaN, 1)).toBeNull();
    expect(safeRatio(Infinity, 1)).toBeNull();
    expect(safeRatio(undefined, 1)).toBeNull();
    expect(safeRatio(3, 2)).toBe(1.5);
  });
});

describe('CSV', () => {
  it('quotes commas, quotes and newlines per RFC 4180', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rlf')).toBe('"cr\rlf"');
    expect(csvField('')).toBe('');
  });

  it('writes numbers plainly and missing values empty', () => {
    expect(csvField(0.975)).toBe('0.975');
    expect(csvField(-0.5)).toBe('-0.5');
    expect(csvField(null)).toBe('');
    expect(csvField(Number.NaN)).toBe('');
    expect(csvField(Infinity)).toBe('');
  });

  it('defuses text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('+1')).toBe("'+1");
    expect(csvField('@sum')).toBe("'@sum");
  });

  it('serializes rows in the fixed column order with CRLF line ends', () => {
    const control = { ...teacher, variant: 'fp32 control: +1 epoch', accuracy: 0.99 };
    const rows = [
      resultRow(teacher, teacher),
      resultRow({ ...int8, variant: 'int8, "w8"' }, teacher, control),
    ];
    const csv = resultsToCsv(rows);
    const lines = csv.split('\r\n');
    expect(lines).toHaveLength(4); // header, two rows, empty after the final CRLF
    expect(lines[3]).toBe('');
    expect(lines[0]).toBe(
      'variant,pipeline,accuracy,accuracy_change_pts,control,accuracy_change_vs_control_pts,' +
        'size_bytes,gzip_bytes,compression_ratio,' +
        'params,macs,effective_macs,latency_b1_median_ms,latency_b1_p90_ms,' +
        'latency_b32_median_ms,latency_b32_p90_ms,speedup_b1,speedup_b32,note',
    );
    expect(lines[1]).toBe('teacher,teacher,0.98,0,,,4000,3700,1,1000,900,900,2,2.5,12,14,1,1,');
    const change = String(100 * (0.975 - 0.98));
    const vsControl = String(100 * (0.975 - 0.99));
    expect(lines[2]).toBe(
      `"int8, ""w8""",teacher → ptq int8,0.975,${change},fp32 control: +1 epoch,${vsControl},` +
        '1000,,4,1000,900,900,0.5,2.5,,14,4,,runs dequantized in float',
    );
    expect(RESULT_COLUMNS).toHaveLength(19);
    expect(resultsToCsv([])).toBe(`${lines[0]}\r\n`);
  });
});

describe('formatTimes', () => {
  it('rounds large ratios to whole numbers and keeps two decimals near 1', () => {
    expect(formatTimes(2092.93)).toBe('2093×');
    expect(formatTimes(10)).toBe('10×');
    expect(formatTimes(3.07)).toBe('3.1×');
    expect(formatTimes(2.5)).toBe('2.5×');
    expect(formatTimes(1.28)).toBe('1.28×');
    expect(formatTimes(0.934)).toBe('0.93×');
  });
});

describe('measuredSpeedNote', () => {
  it('states the measured speed against the teacher, never a guess from MACs', () => {
    const slow = { latencyB1MedianMs: 4, latencyB32MedianMs: 24 };
    expect(measuredSpeedNote(teacher, slow)).toBe(
      "Measured 0.50× the teacher's speed at batch 32, 0.50× at batch 1 (slower than the teacher).",
    );
    const fast = { latencyB1MedianMs: 1, latencyB32MedianMs: 4 };
    expect(measuredSpeedNote(teacher, fast)).toBe(
      "Measured 3.0× the teacher's speed at batch 32, 2.0× at batch 1 (faster than the teacher).",
    );
    const mixed = { latencyB1MedianMs: 2.5, latencyB32MedianMs: 6 };
    expect(measuredSpeedNote(teacher, mixed)).toBe(
      "Measured 2.0× the teacher's speed at batch 32, 0.80× at batch 1.",
    );
    expect(measuredSpeedNote(teacher, { latencyB1MedianMs: null, latencyB32MedianMs: null })).toBe(
      null,
    );
  });
});
