import { useMemo } from 'react';
import type { VariantMeasurement } from '../../../experiment/measurement';
import type { Inspection } from '../../../worker/protocol';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { barSeries } from '../../../ui/figure/series';
import { colourOf } from '../../../ui/palette';
import { layerParamRows, pruningLabRows } from './lab-rows';

const number = (v: number | null, unit: string) =>
  v === null ? '—' : unit === 'ms' ? v.toFixed(3) : Math.round(v).toLocaleString('en-US');

/**
 * The pruning lab table (original / pruned / reduction of latency, MACs and parameters, all
 * measured) and the kernel weights of each layer before and after.
 */
export function PruningLab({
  report,
  teacher,
  variant,
}: {
  report: Inspection['prune'];
  teacher: VariantMeasurement;
  variant: VariantMeasurement;
}) {
  const rows = useMemo(() => pruningLabRows(teacher, variant, report), [teacher, variant, report]);
  const layers = useMemo(() => layerParamRows(report), [report]);
  return (
    <section className="views-lab" data-testid="pruning-lab" aria-label="Pruning lab table">
      <div className="table-scroll">
        <table data-testid="pruning-lab-table">
          <caption>
            {variant.variant} against the teacher, as measured in the comparison table: latency of
            the shipped artifact, MACs that skip zero weights, and non-zero parameters.
          </caption>
          <thead>
            <tr>
              <th scope="col">measure</th>
              <th scope="col">original</th>
              <th scope="col">pruned</th>
              <th scope="col">reduction</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.measure} data-testid="pruning-lab-row" data-measure={r.measure}>
                <th scope="row">{r.measure}</th>
                <td>{number(r.original, r.measure.endsWith('(ms)') ? 'ms' : '')}</td>
                <td>{number(r.pruned, r.measure.endsWith('(ms)') ? 'ms' : '')}</td>
                <td data-testid="pruning-lab-reduction">
                  {r.reduction === null ? '—' : `${r.reduction.toFixed(2)}×`}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Figure
        testId="chart-layer-params"
        caption="Kernel weights of each layer in the teacher and non-zero in this variant: where the pruning took weights away (structured pruning removes whole units, so later layers shrink too)."
      >
        <Plot
          height={190}
          data={layers}
          legend
          x={{ dataKey: 'name', title: 'layer' }}
          y={{ keys: ['before', 'after'], title: 'weights' }}
          tooltip={{ value: (v) => v.toLocaleString('en-US') }}
        >
          {barSeries([
            { dataKey: 'before', name: 'teacher', colour: colourOf(0) },
            { dataKey: 'after', name: 'this variant (non-zero)', colour: colourOf(3) },
          ])}
        </Plot>
      </Figure>
    </section>
  );
}
