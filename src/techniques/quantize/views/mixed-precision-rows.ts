import type { QuantSensitivityTable } from '../../../worker/protocol';

/** One chart row per bit width: x = bits, one key per layer = accuracy drop in points. */
export type BitDropRow = { bits: number } & Record<string, number>;

/** Rows of the drop-vs-bits chart: drop in points = 100·(baseline − accuracy), sorted by bits. */
export function bitDropRows(table: QuantSensitivityTable): BitDropRow[] {
  const rows = table.bits.map((bits, j) => {
    const row: BitDropRow = { bits };
    table.layers.forEach((layer, l) => {
      row[layer.name] = Math.round((table.drop[l]?.[j] ?? 0) * 1e4) / 100;
    });
    return row;
  });
  return rows.sort((a, b) => a.bits - b.bits);
}
