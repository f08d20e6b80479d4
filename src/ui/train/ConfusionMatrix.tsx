import { memo } from 'react';
import '../common/data-table.css';

/** Counts of (true class, predicted class): the diagonal is right, the rest shows what gets confused. */
export const ConfusionMatrix = memo(function ConfusionMatrix({
  confusion,
  classNames,
}: {
  confusion: number[];
  classNames: string[];
}) {
  const n = classNames.length;
  const rowTotals = classNames.map((_, r) =>
    confusion.slice(r * n, r * n + n).reduce((a, b) => a + b, 0),
  );
  return (
    <figure className="confusion">
      <div className="table-scroll">
        <table data-testid="confusion-matrix">
          <thead>
            <tr>
              <th scope="col">true ↓ / predicted →</th>
              {classNames.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {classNames.map((c, r) => (
              <tr key={c}>
                <th scope="row">{c}</th>
                {classNames.map((_, p) => {
                  const count = confusion[r * n + p] ?? 0;
                  const share = rowTotals[r] ? count / rowTotals[r]! : 0;
                  const hue = r === p ? '0, 114, 178' : '213, 94, 0';
                  return (
                    <td
                      key={p}
                      style={{
                        background: `rgba(${hue}, ${share * 0.85})`,
                        color: share > 0.5 ? '#fff' : undefined,
                      }}
                    >
                      {count}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <figcaption>
        Rows are true classes; blue on the diagonal is correct, orange off it shows confusions.
      </figcaption>
    </figure>
  );
});
