// The series of a <Plot> from plain lists: colour, name and key, with the project's defaults
// (no entry animation: charts are redrawn as results arrive, and an animation would replay).
import { Bar, Line } from 'recharts';

export interface BarSeries {
  dataKey: string;
  name: string;
  colour: string;
  /** Bars with the same stack id sit on top of each other. */
  stackId?: string;
  opacity?: number;
}

/** One <Bar> per entry. */
export function barSeries(list: readonly BarSeries[]) {
  return list.map((b) => (
    <Bar
      key={b.dataKey}
      dataKey={b.dataKey}
      name={b.name}
      fill={b.colour}
      fillOpacity={b.opacity}
      stackId={b.stackId}
      isAnimationActive={false}
    />
  ));
}

export interface LineSeries {
  dataKey: string;
  name?: string;
  colour: string;
  /** Unique among the lines when several share a dataKey (each with its own data). */
  id?: string;
  /** The line's own rows, when the plot has none shared. */
  data?: readonly object[];
  type?: 'linear' | 'step' | 'stepAfter';
  width?: number;
  dash?: string;
  /** Draw the points (default: a plain line). */
  dots?: boolean;
  connectNulls?: boolean;
}

/** One <Line> per entry. */
export function lineSeries(list: readonly LineSeries[]) {
  return list.map((l) => (
    <Line
      key={l.id ?? l.dataKey}
      data={l.data as object[] | undefined}
      dataKey={l.dataKey}
      name={l.name}
      type={l.type}
      stroke={l.colour}
      strokeWidth={l.width}
      strokeDasharray={l.dash}
      dot={l.dots ?? false}
      connectNulls={l.connectNulls}
      isAnimationActive={false}
    />
  ));
}
