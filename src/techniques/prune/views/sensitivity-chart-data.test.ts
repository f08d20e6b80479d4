import { describe, expect, it } from 'vitest';
import { dropAxis, sensitivityRows } from './sensitivity-chart-data';

describe('sensitivityRows', () => {
  it('turns drops (0..1) into points per layer, one row per sparsity in %, sorted', () => {
    const rows = sensitivityRows({
      baseline: 0.9,
      sparsities: [0.5, 0.1],
      accuracy: [
        [0.85, 0.9],
        [0.6, 0.89],
      ],
      drop: [
        [0.05, 0],
        [0.3, 0.01],
      ],
      examples: 100,
      layers: [
        { name: 'dense1', count: 32 },
        { name: 'logits', count: 24 },
      ],
    });
    expect(rows).toEqual([
      { sparsityPercent: 10, dense1: 0, logits: 1 },
      { sparsityPercent: 50, dense1: 5, logits: 30 },
    ]);
  });
});

describe('dropAxis', () => {
  it('picks 1-2-5 steps from 0 and leaves negative drops a small margin', () => {
    expect(dropAxis([-0.5, 3, 49.5])).toEqual({ domain: [-1, 50], ticks: [0, 10, 20, 30, 40, 50] });
    expect(dropAxis([0, 0.4])).toEqual({ domain: [0, 1], ticks: [0, 0.2, 0.4, 0.6, 0.8, 1] });
    expect(dropAxis([7])).toEqual({ domain: [0, 8], ticks: [0, 2, 4, 6, 8] });
  });
});
