import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format';

describe('format', () => {
  it('formats durations, bytes, percentages and counts', () => {
    expect(formatDuration(1400)).toBe('1 s');
    expect(formatDuration(200_000)).toBe('3 min 20 s');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(formatBytes(1536)).toBe('1.5 KiB');
    expect(formatBytes(434_472)).toBe('424 KiB');
    expect(formatPercent(0.9876)).toBe('98.8%');
    expect(formatCount(108618)).toBe('108,618');
  });
});
