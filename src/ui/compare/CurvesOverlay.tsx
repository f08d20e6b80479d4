import { memo, useDeferredValue, useMemo } from 'react';
import { useStore } from '../../store/store';
import { useThrottled } from '../common/throttle';
import { Figure } from '../figure/Figure';
import { Plot } from '../figure/Plot';
import { lineSeries } from '../figure/series';
import { colourOf } from '../palette';
import { downsampleIndices, movingAverage } from '../train/smoothing';

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
  const points = series.flatMap((s) => s.data);
  const extent = (key: 'step' | 'loss') => ({
    min: Math.min(...points.map((p) => p[key])),
    max: Math.max(...points.map((p) => p[key])),
  });
  return (
    <Figure
      testId="curves-overlay"
      exportName="training curves"
      caption="Training loss of the teacher and of every stage that trained (fine-tune, QAT, distillation), smoothed."
    >
      <Plot
        height={220}
        legend
        tooltip={{ value: (v) => v.toFixed(3) }}
        x={{
          dataKey: 'step',
          type: 'number',
          allowDuplicatedCategory: false,
          extent: extent('step'),
          title: 'step of that stage',
        }}
        y={{ extent: extent('loss'), title: 'loss' }}
      >
        {lineSeries(
          series.map((s, i) => ({
            id: s.source,
            data: s.data,
            dataKey: 'loss',
            name: s.name,
            colour: colourOf(i),
          })),
        )}
      </Plot>
    </Figure>
  );
});
