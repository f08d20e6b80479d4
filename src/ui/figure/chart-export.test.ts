import { describe, expect, it } from 'vitest';
import { exportFileName, inlineStyleOf } from './chart-export';

describe('exportFileName', () => {
  it('keeps letters and digits, dashes the rest, adds the extension', () => {
    expect(exportFileName('Pareto chart', 'svg')).toBe('pareto-chart.svg');
    expect(exportFileName('  Accuracy vs. bits (PTQ/QAT) ', 'png')).toBe(
      'accuracy-vs-bits-ptq-qat.png',
    );
    expect(exportFileName('***', 'svg')).toBe('chart.svg');
  });
});

describe('inlineStyleOf', () => {
  it('writes the set presentation properties and skips empty ones', () => {
    const values: Record<string, string> = { fill: 'rgb(0, 0, 0)', 'font-size': '12px' };
    const style = { getPropertyValue: (p: string) => values[p] ?? '' };
    expect(inlineStyleOf(style)).toBe('fill: rgb(0, 0, 0); font-size: 12px');
  });
});
