import { describe, expect, it } from 'vitest';
import { sqnrRows } from './sqnr-rows';

describe('sqnrRows', () => {
  it('names an exact layer (∞ dB) instead of drawing it as 0 dB', () => {
    const { rows, exact } = sqnrRows([
      { name: 'conv1', sqnrDb: 31.5 },
      { name: 'dense1', sqnrDb: Infinity },
    ]);
    expect(rows).toEqual([
      { name: 'conv1', value: 31.5 },
      { name: 'dense1', value: null },
    ]);
    expect(exact).toEqual(['dense1']);
  });
});
