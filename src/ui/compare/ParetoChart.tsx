import { Cell, Scatter, ZAxis } from 'recharts';
import type { ResultRow } from '../../experiment/compare';
import { paretoFrontier } from '../../engine/measure/pareto';
import { Figure } from '../figure/Figure';
import { Plot } from '../figure/Plot';
import { lineSeries } from '../figure/series';
import { CHART_INK, colourOf } from '../palette';

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

/** "512 B", "2 KiB": a size tick. */
const sizeTick = (v: number) => (v >= 1024 ? `${Math.round(v / 1024)} KiB` : `${v} B`);

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
  const sizes = rows.map((r) => r.sizeBytes).filter((b) => b > 0);
  const ticks = logTicks(Math.min(...sizes), Math.max(...sizes));
  const accuracies = points.map((p) => p.accuracy);
  return (
    <Figure
      testId="pareto-chart"
      exportName="pareto chart"
      caption="Up and to the left is better: the dashed line joins variants no other beats on both size and accuracy. Bubble size is batch-1 latency."
    >
      <Plot
        height={240}
        tooltip={{ value: (v) => v.toFixed(2) }}
        x={{
          dataKey: 'sizeBytes',
          type: 'number',
          scale: 'log',
          domain: [ticks[0]!, ticks[ticks.length - 1]!],
          ticks,
          format: sizeTick,
          title: 'stored size (log scale)',
        }}
        y={{
          dataKey: 'accuracy',
          domain: ['auto', 'auto'],
          extent: { min: Math.min(...accuracies), max: Math.max(...accuracies) },
          unit: '%',
          title: 'test accuracy',
        }}
      >
        <ZAxis type="number" dataKey="latency" range={[40, 400]} name="latency (ms)" />
        {lineSeries([
          {
            data: frontier,
            dataKey: 'frontier',
            name: 'Pareto frontier',
            colour: CHART_INK.baseline,
            dash: '4 4',
          },
        ])}
        <Scatter data={points} name="variants" isAnimationActive={false}>
          {points.map((p) => (
            <Cell key={p.id} fill={p.colour} />
          ))}
        </Scatter>
      </Plot>
    </Figure>
  );
}
