import { describe, expect, it } from 'vitest';
import type { VariantMeasurement } from '../../experiment/compare';
import { resultRow } from '../../experiment/compare';
import { barAxis, groupedBarsData } from './grouped';

function measurement(
  variant: string,
  accuracy: number,
  sizeBytes: number,
  latency: number | null,
  latency32: number | null = null,
): VariantMeasurement {
  return {
    variant,
    pipeline: '',
    accuracy,
    sizeBytes,
    gzipBytes: null,
    params: 0,
    macs: 0,
    effectiveMacs: 0,
    latencyB1MedianMs: latency,
    latencyB1P90Ms: null,
    latencyB32MedianMs: latency32,
    latencyB32P90Ms: null,
    note: '',
  };
}

describe('groupedBarsData', () => {
  it('gives accuracy in %, size and latency as % of the teacher', () => {
    const teacher = measurement('teacher', 0.9, 4000, 2, 8);
    const ptq = measurement('ptq', 0.85, 1000, 3, 2);
    const unmeasured = measurement('odd', 0.5, 0, null);
    const data = groupedBarsData([teacher, ptq, unmeasured].map((m) => resultRow(m, teacher)));
    expect(data[0]).toEqual({
      variant: 'teacher',
      accuracy: 90,
      sizePct: 100,
      latencyPct: 100,
      latency32Pct: 100,
    });
    expect(data[1]!.accuracy).toBeCloseTo(85, 10);
    expect(data[1]!.sizePct).toBeCloseTo(25, 10);
    expect(data[1]!.latencyPct).toBeCloseTo(150, 10);
    expect(data[1]!.latency32Pct).toBeCloseTo(25, 10); // 4× faster at batch 32
    expect(data[2]).toEqual({
      variant: 'odd',
      accuracy: 50,
      sizePct: null,
      latencyPct: null,
      latency32Pct: null,
    });
  });
});

describe('barAxis', () => {
  it('stays linear from 0 up to 400 %, then turns logarithmic over whole decades', () => {
    expect(barAxis([90, 25, 120, null])).toEqual({ scale: 'linear', extent: { min: 0, max: 120 } });
    expect(barAxis([90, 25, 400])).toMatchObject({ scale: 'linear' });
    const log = barAxis([98, 25, 1900, 40, null]);
    expect(log).toMatchObject({ scale: 'log', domain: [10, 10_000] });
    expect(log.scale === 'log' && log.ticks).toEqual([10, 30, 100, 300, 1000, 3000, 10_000]);
    // A zero bar cannot sit on a log axis; the floor comes from the smallest positive bar.
    expect(barAxis([0, 3, 500])).toMatchObject({ scale: 'log', domain: [1, 1000] });
  });
});
