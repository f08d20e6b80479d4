import { confusionLabels } from './confusion-labels';
import './data-table.css';
import './confusion.css';

/** How a cell looks: its background (light enough for the dark ink, see MAX_SHADE_ALPHA). */
export interface CellShade {
  background: string;
}

interface ConfusionTableProps {
  /** Row-major k × k values: row = true class, column = predicted class. */
  values: readonly number[];
  classNames: readonly string[];
  shade: (value: number, row: number, column: number) => CellShade;
  format?: (value: number) => string;
  /** Bold the diagonal (the examples of a class predicted as that class). */
  boldDiagonal?: boolean;
  testId: string;
}

/**
 * A confusion table (true class down, predicted class across) that fits its card: columns share
 * the width, and many long class names become numbered columns with the names on the rows.
 */
export function ConfusionTable({
  values,
  classNames,
  shade,
  format = String,
  boldDiagonal = false,
  testId,
}: ConfusionTableProps) {
  const n = classNames.length;
  const labels = confusionLabels(classNames);
  return (
    <div className="table-scroll">
      <table data-testid={testId} className="confusion-table">
        <colgroup>
          <col style={{ width: `${labels.rowHeaderCh}ch` }} />
          {classNames.map((c) => (
            <col key={c} />
          ))}
        </colgroup>
        <thead>
          <tr>
            <th scope="col" className="confusion-corner">
              true ↓ / predicted →
            </th>
            {labels.columns.map((label, p) => (
              <th key={classNames[p]} scope="col" title={classNames[p]}>
                {label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {labels.rows.map((label, r) => (
            <tr key={classNames[r]}>
              <th scope="row" title={classNames[r]}>
                {label}
              </th>
              {classNames.map((_, p) => {
                const value = values[r * n + p] ?? 0;
                const look = shade(value, r, p);
                return (
                  <td
                    key={p}
                    className={boldDiagonal && r === p ? 'diagonal' : undefined}
                    style={{ background: look.background }}
                  >
                    {format(value)}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
