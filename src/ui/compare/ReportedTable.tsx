import { REPORTED_LABEL } from '../../experiment/link';
import { useStore } from '../../store/store';
import { formatBytes, formatPercent } from '../common/format';
import '../common/data-table.css';

/** Results that arrived with a shared link: shown until measured here, clearly labelled. */
export function ReportedTable() {
  const reported = useStore((s) => s.reported);
  const measured = useStore((s) => s.teacher !== null);
  if (!reported || measured) return null;
  return (
    <div className="table-scroll reported" data-testid="reported-table">
      <table>
        <caption>{REPORTED_LABEL}. Press “Run all” to measure them yourself.</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <th scope="col" className="num">
              Accuracy
            </th>
            <th scope="col" className="num">
              Size
            </th>
            <th scope="col" className="num">
              Latency b1 (ms)
            </th>
          </tr>
        </thead>
        <tbody>
          {reported.rows.map((r) => (
            <tr key={r.variant}>
              <th scope="row">{r.variant}</th>
              <td className="num">{formatPercent(r.accuracy)}</td>
              <td className="num">{formatBytes(r.sizeBytes)}</td>
              <td className="num">{r.latencyMs === null ? '—' : r.latencyMs.toFixed(2)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
