import type { ArchitectureSpec, DatasetId } from '../../experiment/schema';
import { inputShapeOf, numClassesOf } from '../../experiment/schema';
import { layerCosts, totalMacs, totalParams } from '../../engine/measure/macs';
import type { LayerCost } from '../../engine/measure/macs';
import type { Column } from '../common/DataTable';
import { DataTable } from '../common/DataTable';
import { formatBytes, formatCount } from '../common/format';

/** Layers, output shapes, parameters, MACs and fp32 bytes of an architecture. */
export function ModelSummary({
  spec,
  datasetId,
}: {
  spec: ArchitectureSpec;
  datasetId: DatasetId;
}) {
  let rows;
  try {
    rows = layerCosts(spec, inputShapeOf(datasetId), numClassesOf(datasetId));
  } catch (error) {
    return (
      <p className="field-error" role="alert" data-testid="summary-error">
        This architecture does not fit the input:{' '}
        {error instanceof Error ? error.message : String(error)}
      </p>
    );
  }
  const params = totalParams(rows);
  const columns: Column<LayerCost>[] = [
    { key: 'layer', header: 'Layer', cell: (r) => r.name, footer: 'Total' },
    { key: 'output', header: 'Output', cell: (r) => r.outputShape.join('×'), footer: '' },
    {
      key: 'params',
      header: 'Params',
      numeric: true,
      cell: (r) => formatCount(r.params),
      footer: <span data-testid="total-params">{formatCount(params)}</span>,
    },
    {
      key: 'macs',
      header: 'MACs',
      numeric: true,
      cell: (r) => formatCount(r.macs),
      footer: formatCount(totalMacs(rows)),
    },
    {
      key: 'fp32',
      header: 'fp32',
      numeric: true,
      cell: (r) => (r.params ? formatBytes(r.fp32Bytes) : '—'),
      footer: formatBytes(params * 4),
    },
  ];
  return (
    <DataTable
      columns={columns}
      rows={rows}
      rowKey={(r) => r.name}
      testId="model-summary"
      className="summary-table"
      caption="Model summary — MACs are multiply-accumulates for one example."
    />
  );
}
