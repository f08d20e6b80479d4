/** SQNR bars of the quantization view: finite dB values as bars, exact matches named apart. */
export function sqnrRows(layers: readonly { name: string; sqnrDb: number }[]): {
  rows: { name: string; value: number | null }[];
  exact: string[];
} {
  return {
    // An exact match (ŵ = w) has infinite SQNR: no bar, never drawn as 0 dB.
    rows: layers.map((l) => ({ name: l.name, value: Number.isFinite(l.sqnrDb) ? l.sqnrDb : null })),
    exact: layers.filter((l) => l.sqnrDb === Infinity).map((l) => l.name),
  };
}
