import { useMemo } from 'react';
import { ReferenceLine } from 'recharts';
import type { ResultRow } from '../../experiment/compare';
import { Figure } from '../figure/Figure';
import { Plot } from '../figure/Plot';
import { barSeries } from '../figure/series';
import { CHART_INK, colourOf } from '../palette';
import { barAxis, groupedBarsData } from './grouped';

const BAR_KEYS = ['accuracy', 'sizePct', 'latencyPct', 'latency32Pct'] as const;
const shortName = (v: string) => (v.length > 22 ? `${v.slice(0, 21)}…` : v);

/** Per variant: accuracy (%), size and batch-1 / batch-32 latency as % of the teacher's. */
export function GroupedBars({ rows }: { rows: ResultRow[] }) {
  const data = useMemo(() => groupedBarsData(rows), [rows]);
  if (data.length < 2) return null;
  const y = barAxis(data.flatMap((d) => BAR_KEYS.map((k) => d[k])));
  return (
    <Figure
      testId="grouped-bars"
      exportName="grouped bars"
      caption={
        'For each variant: a tall first bar and short others is the goal: accuracy kept, size and ' +
        'latency cut (the dashed line is the teacher, 100%).' +
        (y.scale === 'log' ? ' Logarithmic axis: one bar is far taller than the rest.' : '')
      }
    >
      <Plot
        height={330}
        data={data}
        grid="horizontal"
        legend
        x={{ dataKey: 'variant', formatCategory: shortName }}
        y={{ ...y, unit: '%', title: 'accuracy, % of teacher' }}
        tooltip={{ value: (v) => `${v.toFixed(1)}%` }}
      >
        <ReferenceLine y={100} stroke={CHART_INK.baseline} strokeDasharray="4 4" />
        {barSeries([
          { dataKey: 'accuracy', name: 'accuracy', colour: colourOf(0) },
          { dataKey: 'sizePct', name: 'size (% of teacher)', colour: colourOf(1) },
          { dataKey: 'latencyPct', name: 'latency b1 (% of teacher)', colour: colourOf(2) },
          { dataKey: 'latency32Pct', name: 'latency b32 (% of teacher)', colour: colourOf(3) },
        ])}
      </Plot>
    </Figure>
  );
}
