/** Labels of a confusion table's rows and columns. */
export interface ConfusionLabels {
  /** Column headers: the class names, or their indices when names would not fit. */
  columns: string[];
  /** Row headers: the class names (prefixed with the index when the columns show indices). */
  rows: string[];
  /** Width of the row-header column, in ch. */
  rowHeaderCh: number;
}

/** Columns narrower than this many characters fit ten classes in a 350 px card. */
const MAX_COLUMN_CHARS = 3;

/**
 * Row and column labels that let a k × k table fit its card: up to four classes, or names of at
 * most three characters ('0'…'9'), label the columns by name; otherwise the columns show the class
 * index and each row says which index is which class ("0 T-shirt/top").
 */
export function confusionLabels(classNames: readonly string[]): ConfusionLabels {
  const indexed = classNames.length > 4 && classNames.some((c) => c.length > MAX_COLUMN_CHARS);
  const rows = classNames.map((c, i) => (indexed ? `${i} ${c}` : c));
  const longest = Math.max(0, ...rows.map((r) => r.length));
  return {
    columns: indexed ? classNames.map((_, i) => String(i)) : [...classNames],
    rows,
    // Few classes leave room for the corner's "true ↓ / predicted →" on two lines.
    rowHeaderCh: Math.min(14, Math.max(classNames.length <= 4 ? 14 : 7, longest + 1)),
  };
}
