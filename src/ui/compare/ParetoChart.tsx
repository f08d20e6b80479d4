import {
  CartesianGrid,
  Line,
  ComposedChart,
  ResponsiveContainer,
  Scatter,
  Tooltip,
  XAxis,
  YAxis,
  ZAxis,
  Cell,
} from 'recharts';
import type { ResultRow } from '../../engine/measure/compare';
import { paretoFrontier } from '../../engine/measure/pareto';
import { colourOf } from '../palette';

/** Accuracy against stored size (log scale), bubble area ∝ batch-1 latency, frontier drawn. */
export function ParetoChart({ rows }: { rows: ResultRow[] }) {
  const points = rows.map((r, i) => ({
    id: r.variant,
    sizeBytes: r.sizeBytes,
    accuracy: r.accuracy * 100,
    latency: r.latencyB1MedianMs ?? 0,
    colour: colourOf(i),
  }));
  const frontier = paretoFrontier(
    rows.map((r) => ({ id: r.variant, sizeBytes: r.sizeBytes, accuracy: r.accuracy })),
  ).map((p) => ({
    sizeBytes: p.sizeBytes,
    frontier: p.accuracy * 100,
  }));
  return (
    <figure data-testid="pareto-chart">
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart margin={{ top: 8, right: 12, bottom: 20, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            type="number"
            dataKey="sizeBytes"
            scale="log"
            domain={['auto', 'auto']}
            tickFormatter={(v: number) => (v >= 1024 ? `${Math.round(v / 1024)} KiB` : `${v} B`)}
            label={{ value: 'stored size (log scale)', position: 'insideBottom', offset: -12 }}
          />
          <YAxis type="number" dataKey="accuracy" unit="%" domain={['auto', 'auto']} width={48} />
          <ZAxis type="number" dataKey="latency" range={[40, 400]} name="latency (ms)" />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(2) : String(v))} />
          <Line
            data={frontier}
            dataKey="frontier"
            stroke="#999"
            strokeDasharray="4 4"
            dot={false}
            isAnimationActive={false}
            name="Pareto frontier"
          />
          <Scatter data={points} name="variants" isAnimationActive={false}>
            {points.map((p) => (
              <Cell key={p.id} fill={p.colour} />
            ))}
          </Scatter>
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption>
        Up and to the left is better: the dashed line joins variants no other beats on both size and
        accuracy. Bubble size is batch-1 latency.
      </figcaption>
    </figure>
  );
}
