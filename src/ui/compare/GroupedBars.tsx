import { useMemo, useRef } from 'react';
import {
  Bar,
  BarChart,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartGrid } from '../common/ChartGrid';
import type { ResultRow } from '../../engine/measure/compare';
import { colourOf } from '../palette';
import { ChartExportButtons } from './ChartExportButtons';
import { groupedBarsData } from './grouped';

/** Per variant: accuracy (%), size and batch-1 latency as % of the teacher's, side by side. */
export function GroupedBars({ rows }: { rows: ResultRow[] }) {
  const figure = useRef<HTMLElement>(null);
  const data = useMemo(() => groupedBarsData(rows), [rows]);
  if (data.length < 2) return null;
  return (
    <figure data-testid="grouped-bars" ref={figure}>
      <ResponsiveContainer width="100%" height={330}>
        <BarChart data={data} margin={{ top: 8, right: 12, bottom: 8, left: 40 }}>
          <ChartGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            dataKey="variant"
            interval={0}
            angle={-30}
            textAnchor="end"
            tickFormatter={(v: string) => (v.length > 22 ? `${v.slice(0, 21)}…` : v)}
            height={120}
          />
          <YAxis
            interval={0}
            unit="%"
            width={52}
            tickCount={6}
            domain={[0, (max: number) => Math.max(100, Math.ceil(max / 25) * 25)]}
          />
          <ReferenceLine y={100} stroke="#999" strokeDasharray="4 4" />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : '—')} />
          <Legend verticalAlign="top" height={44} />
          <Bar dataKey="accuracy" name="accuracy" fill={colourOf(0)} isAnimationActive={false} />
          <Bar
            dataKey="sizePct"
            name="size (% of teacher)"
            fill={colourOf(1)}
            isAnimationActive={false}
          />
          <Bar
            dataKey="latencyPct"
            name="latency b1 (% of teacher)"
            fill={colourOf(2)}
            isAnimationActive={false}
          />
        </BarChart>
      </ResponsiveContainer>
      <figcaption>
        For each variant: a tall first bar and short second and third bars is the goal: accuracy
        kept, size and latency cut (the dashed line is the teacher, 100%).
      </figcaption>
      <ChartExportButtons target={figure} name="grouped bars" />
    </figure>
  );
}
