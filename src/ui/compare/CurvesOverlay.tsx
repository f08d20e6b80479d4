import { useMemo, useRef } from 'react';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { useStore } from '../../store/store';
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
  const figure = useRef<HTMLElement>(null);
  const curves = useStore((s) => s.curves);
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
  return (
    <figure data-testid="curves-overlay" ref={figure}>
      <ResponsiveContainer width="100%" height={220}>
        <LineChart margin={{ top: 8, right: 12, bottom: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis
            dataKey="step"
            type="number"
            allowDuplicatedCategory={false}
            label={{ value: 'step of that stage', position: 'insideBottom', offset: -8 }}
          />
          <YAxis width={44} label={{ value: 'loss', angle: -90, position: 'insideLeft' }} />
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
}
