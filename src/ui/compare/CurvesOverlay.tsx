import { memo, useDeferredValue, useMemo, useRef } from 'react';
import { Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { ChartGrid } from '../common/ChartGrid';
import { useStore } from '../../store/store';
import { useThrottled } from '../common/throttle';
import { colourOf } from '../palette';
import { downsampleIndices, movingAverage } from '../train/smoothing';
import { ChartExportButtons } from './ChartExportButtons';

function nameOf(source: string, variants: readonly { id: string; name: string }[]): string {
  if (source === 'teacher') return 'teacher';
  const own = variants.find((v) => v.id === source);
  if (own) return own.name;
  const base = variants.find((v) => `${v.id}-alone` === source);
  return base ? `${base.name} — student alone` : source;
}

/** Training loss of every stage that trained in the last run, on one chart. */
export function CurvesOverlay() {
  // During a run a curve grows ten times a second: redraw every series at most every 2 s, as
  // background work React can interrupt.
  const curves = useDeferredValue(
    useThrottled(
      useStore((s) => s.curves),
      2_000,
    ),
  );
  const variants = useStore((s) => s.experiment.variants);
  const series = useMemo(
    () =>
      Object.entries(curves).map(([source, points]) => {
        const smooth = movingAverage(
          points.map((p) => p.loss),
          Math.max(1, Math.round(points.length / 40)),
        );
        return {
          source,
          name: nameOf(source, variants),
          data: downsampleIndices(points.length, 200).map((i) => ({
            step: i + 1,
            loss: smooth[i]!,
          })),
        };
      }),
    [curves, variants],
  );
  if (series.length < 2) return null;
  return <CurvesFigure series={series} />;
}

interface Series {
  source: string;
  name: string;
  data: { step: number; loss: number }[];
}

const CurvesFigure = memo(function CurvesFigure({ series }: { series: Series[] }) {
  const figure = useRef<HTMLElement>(null);
  return (
    <figure data-testid="curves-overlay" ref={figure}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart margin={{ top: 8, right: 12, bottom: 16, left: 0 }}>
          <ChartGrid strokeDasharray="3 3" />
          <XAxis
            interval={0}
            dataKey="step"
            type="number"
            allowDuplicatedCategory={false}
            label={{ value: 'step of that stage', position: 'insideBottom', offset: -8 }}
          />
          <YAxis
            interval={0}
            width={44}
            label={{ value: 'loss', angle: -90, position: 'insideLeft' }}
          />
          <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
          <Legend verticalAlign="top" height={36} />
          {series.map((s, i) => (
            <Line
              key={s.source}
              data={s.data}
              dataKey="loss"
              name={s.name}
              stroke={colourOf(i)}
              dot={false}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
      <figcaption>
        Training loss of the teacher and of every stage that trained (fine-tune, QAT, distillation),
        smoothed.
      </figcaption>
      <ChartExportButtons target={figure} name="training curves" />
    </figure>
  );
});
