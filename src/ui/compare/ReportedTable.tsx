import { REPORTED_LABEL } from '../../experiment/link';
import type { ReportedRow } from '../../experiment/link';
import { useStore } from '../../store/store';
import type { Column } from '../common/DataTable';
import { DataTable } from '../common/DataTable';
import { formatBytes, formatPercent } from '../common/format';

const REPORTED_COLUMNS: Column<ReportedRow>[] = [
  { key: 'variant', header: 'Variant', rowHeader: true, cell: (r) => r.variant },
  { key: 'accuracy', header: 'Accuracy', numeric: true, cell: (r) => formatPercent(r.accuracy) },
  { key: 'size', header: 'Size', numeric: true, cell: (r) => formatBytes(r.sizeBytes) },
  {
    key: 'latency',
    header: 'Latency b1 (ms)',
    numeric: true,
    cell: (r) => (r.latencyMs === null ? '—' : r.latencyMs.toFixed(2)),
  },
];

/** Results that arrived with a shared link: shown until measured here, clearly labelled. */
export function ReportedTable() {
  const reported = useStore((s) => s.reported);
  const measured = useStore((s) => s.teacher !== null);
  if (!reported || measured) return null;
  return (
    <DataTable
      columns={REPORTED_COLUMNS}
      rows={reported.rows}
      rowKey={(r) => r.variant}
      wrapperTestId="reported-table"
      wrapperClassName="reported"
      caption={<>{REPORTED_LABEL}. Press “Run all” to measure them yourself.</>}
    />
  );
}
