/**
 * Mixed precision by sensitivity: each weight layer alone quantized to each bit width (the others
 * float) tells what that layer's bits cost in accuracy; an allocation then picks one width per
 * layer so that the model fits a size budget while losing the least accuracy. Pure: no tfjs.
 */

/** Bit widths of the quantization sensitivity scan, widest first. */
export const DEFAULT_BIT_GRID = [8, 6, 4, 3, 2] as const;

/** Most allocations searched exactly; beyond it the greedy allocation is used. */
export const EXACT_SEARCH_LIMIT = 2_000_000;

/** What the allocation reads: per layer and bit width, a cost that adds up, and stored bytes. */
export interface BitCostTable {
  /** Bit widths, one column each. */
  bits: readonly number[];
  /**
   * cost[l][j]: what layer l alone at bits[j] costs (the scan's output divergence, or an
   * accuracy drop); the allocation assumes costs of different layers add up.
   */
  cost: readonly (readonly number[])[];
  /** bytes[l][j]: layer l's stored kernel bytes at bits[j]. */
  bytes: readonly (readonly number[])[];
  /** Bytes that do not depend on the bits (biases, headers of other tensors). */
  fixedBytes: number;
}

export interface BitAllocation {
  /** Index into `bits` per layer. */
  choice: number[];
  /** Bit width per layer. */
  bits: number[];
  /** Σ_l bytes[l][choice_l] + fixedBytes. */
  bytes: number;
  /** Σ_l cost[l][choice_l]: the predicted cost (the costs of layers alone, added). */
  predictedCost: number;
  /** 'exact' searched every allocation (pruned by bounds); 'greedy' took the best cut per byte. */
  method: 'exact' | 'greedy';
}

/** Thrown when no allocation fits: even the smallest width everywhere is over the budget. */
export class BudgetTooSmallError extends RangeError {
  constructor(
    readonly budgetBytes: number,
    readonly smallestBytes: number,
  ) {
    super(
      `The budget of ${budgetBytes} B is below the smallest this model gets (${smallestBytes} B, ` +
        'every layer at its fewest bits).',
    );
    this.name = 'BudgetTooSmallError';
  }
}

function checkTable(table: BitCostTable): void {
  const width = table.bits.length;
  if (width === 0) throw new RangeError('The bit grid is empty.');
  table.cost.forEach((row, l) => {
    if (row.length !== width || table.bytes[l]?.length !== width) {
      throw new RangeError(`Layer ${l} needs one cost and one size per bit width.`);
    }
  });
  if (table.bytes.length !== table.cost.length) {
    throw new RangeError('The table needs as many size rows as cost rows.');
  }
}

function total(table: BitCostTable, choice: readonly number[]): BitAllocation {
  let bytes = table.fixedBytes;
  let predictedCost = 0;
  choice.forEach((j, l) => {
    bytes += table.bytes[l]![j]!;
    predictedCost += table.cost[l]![j]!;
  });
  const bits = choice.map((j) => table.bits[j]!);
  return { choice: [...choice], bits, bytes, predictedCost, method: 'exact' };
}

/** Smallest bytes of each layer over its widths. */
function minBytes(table: BitCostTable): number[] {
  return table.bytes.map((row) => Math.min(...row));
}

/**
 * Greedy allocation: start with every layer at its widest option; while over budget, apply the
 * change (one layer one width narrower) with the least added cost per byte saved.
 */
export function greedyAllocation(table: BitCostTable, budgetBytes: number): BitAllocation {
  checkTable(table);
  const smallest = table.fixedBytes + minBytes(table).reduce((a, b) => a + b, 0);
  if (smallest > budgetBytes) throw new BudgetTooSmallError(budgetBytes, smallest);
  // Options of each layer by bytes, largest first (the widest first).
  const orders = table.bytes.map((row) => row.map((_, j) => j).sort((a, b) => row[b]! - row[a]!));
  const position = orders.map(() => 0);
  let current = total(
    table,
    orders.map((o) => o[0]!),
  );
  while (current.bytes > budgetBytes) {
    let best: { l: number; rate: number } | null = null;
    orders.forEach((order, l) => {
      const p = position[l]!;
      if (p + 1 >= order.length) return;
      const from = order[p]!;
      const to = order[p + 1]!;
      const saved = table.bytes[l]![from]! - table.bytes[l]![to]!;
      const added = table.cost[l]![to]! - table.cost[l]![from]!;
      const rate = saved > 0 ? added / saved : Infinity;
      if (best === null || rate < best.rate) best = { l, rate };
    });
    if (best === null) break;
    const l = (best as { l: number }).l;
    position[l] = position[l]! + 1;
    current = total(
      table,
      orders.map((o, i) => o[position[i]!]!),
    );
  }
  return { ...current, method: 'greedy' };
}

/**
 * The allocation with the least predicted cost Σ_l cost[l][b_l] among those with
 * Σ_l bytes[l][b_l] + fixed ≤ budget (ties: fewer bytes), by branch and bound over the layers;
 * greedy beyond EXACT_SEARCH_LIMIT allocations. Throws BudgetTooSmallError when none fits.
 */
export function allocateBits(table: BitCostTable, budgetBytes: number): BitAllocation {
  checkTable(table);
  const layers = table.cost.length;
  const smallest = minBytes(table);
  const smallestTotal = table.fixedBytes + smallest.reduce((a, b) => a + b, 0);
  if (smallestTotal > budgetBytes) throw new BudgetTooSmallError(budgetBytes, smallestTotal);
  if (table.bits.length ** layers > EXACT_SEARCH_LIMIT) return greedyAllocation(table, budgetBytes);
  // Suffix bounds: the least bytes and the least cost the remaining layers can add.
  const restBytes = new Array<number>(layers + 1).fill(0);
  const restDrop = new Array<number>(layers + 1).fill(0);
  for (let l = layers - 1; l >= 0; l--) {
    restBytes[l] = restBytes[l + 1]! + smallest[l]!;
    restDrop[l] = restDrop[l + 1]! + Math.min(...table.cost[l]!);
  }
  let best: { drop: number; bytes: number; choice: number[] } | null = null;
  const choice = new Array<number>(layers).fill(0);
  const visit = (l: number, bytes: number, drop: number) => {
    if (bytes + restBytes[l]! > budgetBytes) return;
    if (best !== null && drop + restDrop[l]! > best.drop) return;
    if (l === layers) {
      if (best === null || drop < best.drop || (drop === best.drop && bytes < best.bytes)) {
        best = { drop, bytes, choice: [...choice] };
      }
      return;
    }
    for (let j = 0; j < table.bits.length; j++) {
      choice[l] = j;
      visit(l + 1, bytes + table.bytes[l]![j]!, drop + table.cost[l]![j]!);
    }
  };
  visit(0, table.fixedBytes, 0);
  return total(table, (best as { choice: number[] } | null)!.choice);
}
