import { useRef } from 'react';
import {
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
import { ChartGrid } from '../common/ChartGrid';
import type { ResultRow } from '../../engine/measure/compare';
import { paretoFrontier } from '../../engine/measure/pareto';
import { colourOf } from '../palette';
import { ChartExportButtons } from './ChartExportButtons';

/** Powers of two spanning [lo, hi], at most about six of them: ticks for a log axis. */
export function logTicks(lo: number, hi: number): number[] {
  const a = Math.floor(Math.log2(Math.max(1, lo)));
  const b = Math.ceil(Math.log2(Math.max(2, hi)));
  const step = Math.max(1, Math.ceil((b - a) / 6));
  const out: number[] = [];
  for (let e = a; e <= b; e += step) out.push(2 ** e);
  if (out[out.length - 1]! < 2 ** b) out.push(2 ** b);
  return out;
}

/** Accuracy against stored size (log scale), bubble area ∝ batch-1 latency, frontier drawn. */
export function ParetoChart({ rows }: { rows: ResultRow[] }) {
  const figure = useRef<HTMLElement>(null);
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
  const sizes = rows.map((r) => r.sizeBytes).filter((b) => b > 0);
  const ticks = logTicks(Math.min(...sizes), Math.max(...sizes));
  return (
    <figure data-testid="pareto-chart" ref={figure}>
      <ResponsiveContainer width="100%" height={240}>
        <ComposedChart margin={{ top: 8, right: 12, bottom: 20, left: 0 }}>
          <ChartGrid strokeDasharray="3 3" />
          <XAxis
            interval={0}
            type="number"
            dataKey="sizeBytes"
            scale="log"
            domain={[ticks[0]!, ticks[ticks.length - 1]!]}
            ticks={ticks}
            tickFormatter={(v: number) => (v >= 1024 ? `${Math.round(v / 1024)} KiB` : `${v} B`)}
            label={{ value: 'stored size (log scale)', position: 'insideBottom', offset: -12 }}
          />
          <YAxis
            interval={0}
            type="number"
            dataKey="accuracy"
            unit="%"
            domain={['auto', 'auto']}
            width={48}
          />
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
      <ChartExportButtons target={figure} name="pareto chart" />
    </figure>
  );
}
