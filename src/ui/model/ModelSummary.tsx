import type { ArchitectureSpec, DatasetId } from '../../experiment/schema';
import { inputShapeOf, numClassesOf } from '../../experiment/schema';
import { layerCosts, totalMacs, totalParams } from '../../engine/measure/macs';
import { formatBytes, formatCount } from '../common/format';
import '../common/data-table.css';

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
  return (
    <div className="table-scroll">
      <table className="summary-table" data-testid="model-summary">
        <caption>Model summary — MACs are multiply-accumulates for one example.</caption>
        <thead>
          <tr>
            <th scope="col">Layer</th>
            <th scope="col">Output</th>
            <th scope="col" className="num">
              Params
            </th>
            <th scope="col" className="num">
              MACs
            </th>
            <th scope="col" className="num">
              fp32
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.name}>
              <td>{r.name}</td>
              <td>{r.outputShape.join('×')}</td>
              <td className="num">{formatCount(r.params)}</td>
              <td className="num">{formatCount(r.macs)}</td>
              <td className="num">{r.params ? formatBytes(r.fp32Bytes) : '—'}</td>
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>
              Total
            </th>
            <td className="num" data-testid="total-params">
              {formatCount(params)}
            </td>
            <td className="num">{formatCount(totalMacs(rows))}</td>
            <td className="num">{formatBytes(params * 4)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}
