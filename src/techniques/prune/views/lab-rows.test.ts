import { describe, expect, it } from 'vitest';
import type { VariantMeasurement } from '../../../experiment/measurement';
import { layerParamRows, pruningLabRows } from './lab-rows';

const measurement = (over: Partial<VariantMeasurement>): VariantMeasurement => ({
  variant: 'v',
  pipeline: 'teacher',
  accuracy: 0.9,
  sizeBytes: 100,
  gzipBytes: null,
  params: 1000,
  macs: 10_000,
  effectiveMacs: 10_000,
  latencyB1MedianMs: 2,
  latencyB1P90Ms: 2,
  latencyB32MedianMs: 8,
  latencyB32P90Ms: 8,
  note: '',
  ...over,
});

const report = {
  layers: [
    { name: 'dense1', count: 800, nonZeros: 400, sparsity: 0.5 },
    { name: 'logits', count: 100, nonZeros: 50, sparsity: 0.5 },
  ],
  total: { name: 'total', count: 900, nonZeros: 450, sparsity: 0.5 },
  layer: 'dense1',
  mask: { rows: 1, cols: 1, values: new Uint8Array(1) },
  histogram: { edges: [0, 1], kept: [1], pruned: 0 },
  before: [
    { name: 'dense1', count: 800, nonZeros: 800 },
    { name: 'logits', count: 100, nonZeros: 100 },
  ],
};

describe('pruning lab table', () => {
  it('reads original, pruned and original ÷ pruned; non-zero params keep the biases', () => {
    const rows = pruningLabRows(
      measurement({}),
      measurement({ effectiveMacs: 5000, latencyB1MedianMs: 1, latencyB32MedianMs: null }),
      report as never,
    );
    expect(rows).toEqual([
      { measure: 'latency, batch 1 (ms)', original: 2, pruned: 1, reduction: 2 },
      { measure: 'latency, batch 32 (ms)', original: 8, pruned: null, reduction: null },
      { measure: 'MACs (zeros skipped)', original: 10_000, pruned: 5000, reduction: 2 },
      // 100 biases are never pruned: 1000 − 900 + 450.
      { measure: 'parameters (non-zero)', original: 1000, pruned: 550, reduction: 1000 / 550 },
    ]);
  });

  it('lists each layer before and after', () => {
    expect(layerParamRows(report as never)).toEqual([
      { name: 'dense1', before: 800, after: 400 },
      { name: 'logits', before: 100, after: 50 },
    ]);
  });
});
