import { memo, useDeferredValue, useMemo, useRef } from 'react';
import { Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartGrid } from '../../../ui/common/ChartGrid';
import { useStore } from '../../../store/store';
import { colourOf } from '../../../ui/palette';
import { bitsSeries } from './bits';
import { ChartExportButtons } from '../../../ui/compare/ChartExportButtons';

/** Accuracy against weight bit width for PTQ and QAT variants, on one chart. */
export function BitsChart() {
  const variants = useStore((s) => s.experiment.variants);
  // Redrawn as background work React can interrupt when a result arrives mid-run.
  const results = useDeferredValue(useStore((s) => s.results));
  const data = useMemo(() => bitsSeries(variants, results), [variants, results]);
  if (data.length < 2) return null;
  return <BitsFigure data={data} />;
}

const BitsFigure = memo(function BitsFigure({ data }: { data: ReturnType<typeof bitsSeries> }) {
  const figure = useRef<HTMLElement>(null);
  return (
    <figure data-testid="bits-chart" ref={figure}>
      <ResponsiveContainer width="100%" height={200}>
        <LineChart data={data} margin={{ top: 8, right: 12, bottom: 16, left: 0 }}>
          <ChartGrid strokeDasharray="3 3" />
          <XAxis
            interval={0}
            dataKey="bits"
            reversed
            label={{ value: 'weight bits', position: 'insideBottom', offset: -8 }}
          />
          <YAxis interval={0} unit="%" domain={['auto', 'auto']} width={48} />
          <Tooltip formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))} />
          <Legend verticalAlign="top" height={24} />
          <Line
            dataKey="ptq"
            name="PTQ"
            stroke={colourOf(1)}
            connectNulls
            isAnimationActive={false}
          />
          <Line
            dataKey="qat"
            name="QAT"
            stroke={colourOf(3)}
            connectNulls
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
      <figcaption>
        Accuracy as weights get fewer bits (left to right): PTQ usually falls off a cliff near 3–4
        bits; QAT, which trains with the rounding, holds on longer.
      </figcaption>
      <ChartExportButtons target={figure} name="accuracy vs bits" />
    </figure>
  );
});
