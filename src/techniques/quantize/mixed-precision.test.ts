import { describe, expect, it } from 'vitest';
import { createRng } from '../../engine/rng';
import type { BitCostTable } from './mixed-precision';
import { BudgetTooSmallError, allocateBits, greedyAllocation } from './mixed-precision';

/** Every allocation, for checking the search: the least drop within budget (ties: fewer bytes). */
function bruteForce(table: BitCostTable, budget: number) {
  const layers = table.cost.length;
  const width = table.bits.length;
  let best: { drop: number; bytes: number; choice: number[] } | null = null;
  for (let code = 0; code < width ** layers; code++) {
    const choice = Array.from({ length: layers }, (_, l) => Math.floor(code / width ** l) % width);
    let bytes = table.fixedBytes;
    let drop = 0;
    choice.forEach((j, l) => {
      bytes += table.bytes[l]![j]!;
      drop += table.cost[l]![j]!;
    });
    if (bytes > budget) continue;
    if (best === null || drop < best.drop || (drop === best.drop && bytes < best.bytes)) {
      best = { drop, bytes, choice };
    }
  }
  return best;
}

function randomTable(seed: number, layers: number): BitCostTable {
  const rng = createRng(seed);
  const bits = [8, 6, 4, 3, 2];
  return {
    bits,
    // Drops grow as bits shrink, with noise (a real scan is not monotone either).
    cost: Array.from({ length: layers }, () => {
      const sensitivity = rng() * 0.05;
      return bits.map((b) => sensitivity * 2 ** (8 - b) * 0.05 + (rng() - 0.5) * 0.004);
    }),
    bytes: Array.from({ length: layers }, () => {
      const n = 100 + Math.floor(rng() * 5000);
      return bits.map((b) => 8 + Math.ceil((b * n) / 8) + 64);
    }),
    fixedBytes: 40,
  };
}

describe('allocateBits', () => {
  it('finds the least predicted drop within the budget, as trying every allocation does', () => {
    for (let seed = 1; seed <= 30; seed++) {
      const table = randomTable(seed, 1 + (seed % 5));
      const widest = table.fixedBytes + table.bytes.reduce((a, row) => a + row[0]!, 0);
      const budget = Math.round(widest * (0.2 + (0.6 * ((seed * 7) % 10)) / 10));
      const expected = bruteForce(table, budget);
      if (expected === null) {
        expect(() => allocateBits(table, budget)).toThrow(BudgetTooSmallError);
        continue;
      }
      const got = allocateBits(table, budget);
      expect(got.method).toBe('exact');
      expect(got.bytes).toBeLessThanOrEqual(budget);
      expect(got.predictedCost).toBeCloseTo(expected.drop, 12);
      expect(got.bytes).toBe(expected.bytes);
      expect(got.bits).toEqual(got.choice.map((j) => table.bits[j]));
    }
  });

  it('spends the bits on the layer that needs them', () => {
    const table: BitCostTable = {
      bits: [8, 4, 2],
      cost: [
        [0, 0.001, 0.002], // robust
        [0, 0.02, 0.3], // sensitive
      ],
      bytes: [
        [1000, 500, 250],
        [1000, 500, 250],
      ],
      fixedBytes: 0,
    };
    expect(allocateBits(table, 1250).bits).toEqual([2, 8]);
    expect(allocateBits(table, 1000).bits).toEqual([4, 4]);
    expect(allocateBits(table, 800).bits).toEqual([2, 4]);
    // With room for everything at 8 bits, ties go to fewer bytes only when the drop is equal.
    expect(allocateBits(table, 2000).bits).toEqual([8, 8]);
  });

  it('says when even the fewest bits everywhere do not fit, with the smallest size', () => {
    const table = randomTable(3, 3);
    const smallest = table.fixedBytes + table.bytes.reduce((a, row) => a + row[4]!, 0);
    expect(() => allocateBits(table, smallest - 1)).toThrow(
      new BudgetTooSmallError(smallest - 1, smallest),
    );
    expect(allocateBits(table, smallest).bits).toEqual([2, 2, 2]);
    expect(() => greedyAllocation(table, smallest - 1)).toThrow(BudgetTooSmallError);
  });

  it('greedy stays within the budget and never beats the exact search', () => {
    for (let seed = 40; seed < 60; seed++) {
      const table = randomTable(seed, 4);
      const widest = table.fixedBytes + table.bytes.reduce((a, row) => a + row[0]!, 0);
      const budget = Math.round(widest * 0.45);
      const greedy = greedyAllocation(table, budget);
      expect(greedy.method).toBe('greedy');
      expect(greedy.bytes).toBeLessThanOrEqual(budget);
      expect(allocateBits(table, budget).predictedCost).toBeLessThanOrEqual(
        greedy.predictedCost + 1e-12,
      );
    }
  });

  it('rejects a table whose rows do not match the bit grid', () => {
    expect(() =>
      allocateBits({ bits: [8, 4], cost: [[0]], bytes: [[1, 2]], fixedBytes: 0 }, 10),
    ).toThrow(/one cost and one size per bit width/);
  });
});
