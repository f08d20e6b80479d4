import type { SensitivityTable } from '../../../worker/protocol';

/** One chart row per sparsity: x = sparsity in %, one key per layer = accuracy drop in points. */
export type SensitivityRow = { sparsityPercent: number } & Record<string, number>;

/** Rows for the drop-vs-sparsity chart: drop in points = 100·(baseline − accuracy), sorted by s. */
export function sensitivityRows(table: SensitivityTable): SensitivityRow[] {
  const rows = table.sparsities.map((s, j) => {
    const row: SensitivityRow = { sparsityPercent: Math.round(s * 1000) / 10 };
    table.layers.forEach((layer, l) => {
      row[layer.name] = Math.round((table.drop[l]?.[j] ?? 0) * 1e4) / 100;
    });
    return row;
  });
  return rows.sort((a, b) => a.sparsityPercent - b.sparsityPercent);
}

/**
 * Y axis of the drop chart: ticks 0, step, 2·step … with step ∈ {1, 2, 5}·10ᵏ (≤ 6 ticks above 0),
 * domain [min(0, ⌊min⌋), last tick], so a drop of −0.5 costs no tick at −20.
 */
export function dropAxis(values: readonly number[]): { domain: [number, number]; ticks: number[] } {
  const min = Math.min(0, ...values);
  const max = Math.max(1, ...values);
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
  const top = Math.ceil(max / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let t = 0; t <= top + step / 2; t += step) ticks.push(Number(t.toPrecision(12)));
  return { domain: [Math.min(0, Math.floor(min)), ticks[ticks.length - 1]!], ticks };
}
