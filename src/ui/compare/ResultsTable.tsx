import { memo, useDeferredValue, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { ResultRow } from '../../experiment/compare';
import { formatTimes, resultsToCsv } from '../../experiment/compare';
import { buildResultsDocument } from '../../experiment/results';
import { isBusy } from '../../store/actions';
import { useStore } from '../../store/store';
import { Staggered } from '../common/Staggered';
import { Card } from '../common/Card';
import type { Column } from '../common/DataTable';
import { DataTable } from '../common/DataTable';
import { downloadText } from '../common/download';
import { formatBytes, formatCount, formatPercent } from '../common/format';
import { colourOf } from '../palette';
import { BitsChart } from '../../techniques/quantize/views/BitsChart';
import { CurvesOverlay } from './CurvesOverlay';
import { GroupedBars } from './GroupedBars';
import { ParetoChart } from './ParetoChart';
import { ReportedTable } from './ReportedTable';
import { VariantDiff } from './VariantDiff';
import { OnnxCell } from './OnnxCell';
import { expandVariants } from '../../experiment/expand';
import './compare.css';

/** Milliseconds with 2 decimals, or 3 significant digits below 0.1 ms (0.0153, not 0.02). */
const ms = (v: number | null) =>
  v === null ? '—' : v < 0.1 ? v.toPrecision(3) : v < 10 ? v.toFixed(2) : v.toFixed(1);
/** Points with one decimal and a sign, "0.0" for anything that rounds to zero. */
const signed = (v: number) => {
  const r = Math.round(v * 10) / 10;
  return r === 0 ? '0.0' : `${r > 0 ? '+' : ''}${r.toFixed(1)}`;
};
/** A measured ratio as the notes write it (2092×, 3.1×, 1.28×), a dash when not measured. */
const ratio = (v: number | null) => (v === null ? '—' : formatTimes(v));

/** The comparison table's columns: one row per variant, every number measured the same way. */
const RESULT_COLUMNS: Column<ResultRow>[] = [
  {
    key: 'variant',
    header: 'Variant',
    rowHeader: true,
    cell: (row, i) => (
      <>
        <span className="swatch" style={{ background: colourOf(i) }} aria-hidden="true" />
        {row.variant}
        <span className="row-note" title={row.note}>
          {row.note}
        </span>
      </>
    ),
  },
  { key: 'accuracy', header: 'Accuracy', numeric: true, cell: (r) => formatPercent(r.accuracy) },
  {
    key: 'change',
    header: 'Δ points',
    numeric: true,
    cell: (r) => signed(r.accuracyChangePoints),
    title: () => 'Accuracy change against the teacher, in percentage points',
  },
  {
    key: 'vs-control',
    header: 'Δ vs control',
    numeric: true,
    cell: (r) =>
      r.accuracyChangeVsControlPoints === null ? '—' : signed(r.accuracyChangeVsControlPoints),
    title: (r) =>
      r.control === null
        ? 'No fp32 control: this variant adds no training'
        : `Against ${r.control}: the teacher trained as long, uncompressed`,
  },
  {
    key: 'size',
    header: 'Size',
    numeric: true,
    cell: (r) => formatBytes(r.sizeBytes),
    title: (r) => `${formatCount(r.sizeBytes)} bytes; gzip ${r.gzipBytes ?? '—'} bytes`,
  },
  {
    key: 'compression',
    header: 'Compression',
    numeric: true,
    cell: (r) => ratio(r.compressionRatio),
  },
  { key: 'params', header: 'Params', numeric: true, cell: (r) => formatCount(r.params) },
  { key: 'macs', header: 'MACs', numeric: true, cell: (r) => formatCount(r.macs) },
  {
    key: 'latency',
    header: 'Latency b1 / b32 (ms)',
    numeric: true,
    cell: (r) => `${ms(r.latencyB1MedianMs)} / ${ms(r.latencyB32MedianMs)}`,
    title: (r) => `p90: ${ms(r.latencyB1P90Ms)} / ${ms(r.latencyB32P90Ms)} ms`,
  },
  {
    key: 'speedup',
    header: 'Speedup b1 / b32',
    numeric: true,
    cell: (r) => `${ratio(r.speedupB1)} / ${ratio(r.speedupB32)}`,
  },
];

/** The table's columns with a last one that downloads each row as ONNX. */
function columnsWithExport(
  sourceOf: (variantName: string) => string | null,
  busy: boolean,
): Column<ResultRow>[] {
  const exportColumn: Column<ResultRow> = {
    key: 'export',
    header: 'Export',
    cell: (row) => {
      const source = sourceOf(row.variant);
      return source === null ? null : <OnnxCell source={source} label={row.variant} busy={busy} />;
    },
  };
  return [...RESULT_COLUMNS, exportColumn];
}

/** The comparison table: every variant measured the same way, with downloads. */
export function ResultsTable() {
  const { teacher, experiment, backend, results, running } = useStore(
    useShallow((s) => ({
      teacher: s.teacher,
      experiment: s.experiment,
      backend: s.teacher?.backend ?? '',
      results: s.results,
      running: isBusy(s),
    })),
  );
  const doc = useMemo(
    () =>
      teacher ? buildResultsDocument(experiment, backend, teacher.measurement, results) : null,
    [teacher, experiment, backend, results],
  );
  // The table follows each result at once; the charts redraw as background work React can
  // interrupt, so a result arriving mid-run never blocks the page.
  const chartDoc = useDeferredValue(doc);
  // Rows are named by variant; an export needs the variant's id ('teacher' for the teacher).
  const columns = useMemo(() => {
    const ids = new Map(expandVariants(experiment).map((v) => [v.name, v.id]));
    const sourceOf = (name: string) => (name === 'teacher' ? 'teacher' : (ids.get(name) ?? null));
    return columnsWithExport(sourceOf, running);
  }, [experiment, running]);
  return (
    <Card
      title="Compare"
      subtitle="Accuracy, size and latency of every variant, measured the same way"
      testId="compare-card"
      actions={
        doc && (
          <div className="button-row">
            <button
              type="button"
              data-testid="download-results"
              onClick={() =>
                downloadText('results.json', JSON.stringify(doc, null, 2), 'application/json')
              }
            >
              Download results
            </button>
            <button
              type="button"
              data-testid="download-csv"
              onClick={() => downloadText('results.csv', resultsToCsv(doc.variants), 'text/csv')}
            >
              CSV
            </button>
          </div>
        )
      }
    >
      {doc && doc.variants.length > 1 && (
        <p className="looking-at" data-testid="looking-at">
          Each row is the teacher compressed one way and measured the same way, on the path it
          ships: how much accuracy it kept (Δ points), how much smaller it is (Compression) and how
          much faster it runs (Speedup) than the teacher in the first row. A variant that trains is
          also compared with its fp32 control, the teacher trained as long without compressing (Δ vs
          control), so extra training is not mistaken for a gain from compression.
        </p>
      )}
      <DataTable
        columns={columns}
        rows={doc?.variants ?? []}
        rowKey={(row) => row.variant}
        rowAttributes={(row) => ({
          'data-testid': 'result-row',
          'data-variant': row.variant,
          'data-accuracy': row.accuracy,
          'data-size-bytes': row.sizeBytes,
          'data-latency-ms': row.latencyB1MedianMs ?? '',
          'data-control': row.control ?? '',
          'data-vs-control-points': row.accuracyChangeVsControlPoints ?? '',
        })}
        testId="results-table"
        className="results-table"
        caption={
          <>
            Latency: median of at least 30 samples (at least 60 ms of them; a run under 0.5 ms is
            timed in groups of back-to-back runs) at batch 1 and at batch 32 on{' '}
            {backend || 'the active backend'}, after at least 30 ms of warm-ups, on the path each
            note names. Speedup: the teacher&rsquo;s latency over the variant&rsquo;s, the teacher
            timed in alternation with the variant. Size: exact bytes of the stored weights.
          </>
        }
      />
      {!doc && <p className="muted">Results appear here when the teacher has been trained.</p>}
      <ReportedTable />
      {running ? (
        <p className="muted" data-testid="charts-after-run">
          The charts are drawn when the run finishes, so they take no time from training.
        </p>
      ) : (
        <div className="compare-charts">
          <Staggered>
            <CompareCharts rows={chartDoc?.variants ?? null} />
            <BitsChart />
            <CurvesOverlay />
            <VariantDiff />
          </Staggered>
        </div>
      )}
    </Card>
  );
}

const CompareCharts = memo(function CompareCharts({ rows }: { rows: ResultRow[] | null }) {
  if (!rows || rows.length < 2) return null;
  // Two grid cells of the charts' grid (a fragment), still drawn one per task.
  return (
    <Staggered>
      <ParetoChart rows={rows} />
      <GroupedBars rows={rows} />
    </Staggered>
  );
});
