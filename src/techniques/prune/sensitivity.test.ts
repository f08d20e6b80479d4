import { describe, expect, it } from 'vitest';
import { pickLayerSparsities, sensitivityScan, type SensitivityResult } from './sensitivity';

const zerosOf = (w: Float32Array) => w.reduce((n, v) => n + (v === 0 ? 1 : 0), 0);

describe('sensitivityScan', () => {
  const layers = [
    new Float32Array([4, -1, 3, 2]),
    new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]).map((v) => -v),
  ];
  // A stand-in accuracy: each pruned weight of layer 0 costs 0.1, of layer 1 costs 0.01.
  const evaluate = async (w: readonly Float32Array[]) =>
    1 - 0.1 * zerosOf(w[0]!) - 0.01 * zerosOf(w[1]!);

  it('prunes one layer at a time by magnitude and reports drops per sparsity', async () => {
    const seen: Float32Array[][] = [];
    const progress: number[] = [];
    const result = await sensitivityScan(
      async (w) => {
        seen.push([...w]);
        return evaluate(w);
      },
      layers,
      { sparsities: [0.25, 0.5, 0.75], onProgress: (done, total) => progress.push(done / total) },
    );
    expect(result.baseline).toBe(1);
    expect(result.drop[0]!.map((d) => +d.toFixed(10))).toEqual([0.1, 0.2, 0.3]);
    expect(result.drop[1]!.map((d) => +d.toFixed(10))).toEqual([0.02, 0.04, 0.06]);
    expect(result.accuracy[0]![1]).toBeCloseTo(0.8, 12);
    expect(seen.length).toBe(7);
    expect(progress.at(-1)).toBe(1);
    // Layer 0 at 50 %: the two smallest |w| (−1 and 2) zeroed; layer 1 passed through untouched.
    expect(Array.from(seen[2]![0]!, (v) => v + 0)).toEqual([4, 0, 3, 0]);
    expect(seen[2]![1]).toBe(layers[1]);
    expect(Array.from(layers[0]!)).toEqual([4, -1, 3, 2]); // inputs not modified
  });

  it('uses the 0.1 … 0.9 grid by default and can be aborted', async () => {
    const result = await sensitivityScan(evaluate, layers);
    expect(result.sparsities).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(result.drop.length).toBe(2);
    const controller = new AbortController();
    let calls = 0;
    const run = sensitivityScan(
      async (w) => {
        if (++calls === 3) controller.abort(new Error('stopped by user'));
        return evaluate(w);
      },
      layers,
      { signal: controller.signal },
    );
    await expect(run).rejects.toThrow('stopped by user');
    expect(calls).toBe(3);
    await expect(sensitivityScan(evaluate, layers, { sparsities: [0.5, 1] })).rejects.toThrow(
      RangeError,
    );
  });
});

describe('pickLayerSparsities', () => {
  const result: SensitivityResult = {
    baseline: 0.9,
    sparsities: [0.25, 0.5, 0.75],
    accuracy: [],
    drop: [
      [0.1, 0.2, 0.3],
      [0.02, 0.04, 0.06],
      [0.01, 0.2, 0.01], // noisy: the lucky 0.75 must not be chosen
    ],
  };

  it('takes the largest sparsity before the first drop above the limit', () => {
    expect(pickLayerSparsities(result, 0.15)).toEqual([0.25, 0.75, 0.25]);
    expect(pickLayerSparsities(result, 0.05)).toEqual([0, 0.5, 0.25]);
    expect(pickLayerSparsities(result, 1)).toEqual([0.75, 0.75, 0.75]);
    const unsorted = { ...result, sparsities: [0.75, 0.25, 0.5], drop: [[0.3, 0.1, 0.2]] };
    expect(pickLayerSparsities(unsorted, 0.25)).toEqual([0.5]);
    expect(() => pickLayerSparsities(result, -0.1)).toThrow(RangeError);
  });
});
