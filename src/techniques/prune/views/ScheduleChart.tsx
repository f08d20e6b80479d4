import type { StageViewProps } from '../../stage-views';
import { memo, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { lineSeries } from '../../../ui/figure/series';
import { CHART_INK, CHART_SMALL_FONT_PX } from '../../../ui/palette';
import type { PruneParams } from '../spec';
import type { VariantRunState } from '../../../store/store';
import { useStore } from '../../../store/store';
import {
  pruneStepsPerEpoch,
  scheduleChartData,
  scheduleMarker,
  scheduleSummary,
} from './schedule-data';
import './schedule.css';

interface Props {
  params: PruneParams;
  /** Index of this prune stage in its variant's pipeline. */
  stageIndex: number;
  run: VariantRunState | undefined;
  /** The variant's colour. */
  colour: string;
}

const MARGIN = { top: 6, right: 10, bottom: 16, left: 0 };
const HEIGHT = 140;
const Y_AXIS_WIDTH = 46;
/** recharts' default x-axis height, px. */
const X_AXIS_HEIGHT = 30;
/** The plot area inside the chart, px from the chart's edges (for the marker overlay). */
const PLOT = {
  left: MARGIN.left + Y_AXIS_WIDTH,
  right: MARGIN.right,
  top: MARGIN.top,
  height: HEIGHT - MARGIN.top - MARGIN.bottom - X_AXIS_HEIGHT,
};

/** Target sparsity of a prune stage over its optimizer steps, with a dot at the current step. */
export function ScheduleChart({ params, stageIndex, run, colour }: Props) {
  const { spec, info } = useStore(
    useShallow((s) => ({ spec: s.experiment.dataset, info: s.dataset.info })),
  );
  const stepsPerEpoch = pruneStepsPerEpoch(spec, info);
  const data = useMemo(() => scheduleChartData(params, stepsPerEpoch), [params, stepsPerEpoch]);
  const { plan } = data;
  const marker = scheduleMarker(plan, run, stageIndex);
  const summary = scheduleSummary(data, marker);
  if (plan.refused) {
    return (
      <p className="field-error" role="alert" data-testid="schedule-refused">
        {plan.note}
      </p>
    );
  }
  const gradual = plan.layout === 'gradual';
  return (
    <Figure
      testId="chart-schedule"
      attributes={{
        'data-layout': plan.layout,
        'data-total-steps': plan.totalSteps,
        'data-mask-updates': plan.updates.length,
        'data-marker-step': marker?.step ?? '',
        'data-marker-done': marker ? String(marker.done) : '',
      }}
      caption={
        <>
          Target sparsity over the fine-tuning steps
          {gradual ? ' (grey dashes: the cubic ramp; steps: the masks actually applied)' : ''}; the
          dot is where training is now. {summary}
          {plan.note ? ` Note: ${plan.note}.` : ''}
        </>
      }
    >
      <div role="img" aria-label={`Pruning schedule: ${summary}`} className="schedule-plot">
        <ScheduleCurve data={data} colour={colour} />
        {marker && (
          <ScheduleMarker
            step={marker.step}
            percent={marker.percent}
            done={marker.done}
            xMax={data.xMax}
          />
        )}
      </div>
    </Figure>
  );
}

type ChartData = ReturnType<typeof scheduleChartData>;

/** The curve alone: redrawn only when the params change, never while the marker moves. */
const ScheduleCurve = memo(function ScheduleCurve({
  data,
  colour,
}: {
  data: ChartData;
  colour: string;
}) {
  const gradual = data.plan.layout === 'gradual';
  return (
    <Plot
      height={HEIGHT}
      margin={MARGIN}
      tooltip={false}
      x={{
        dataKey: 'step',
        type: 'number',
        domain: [0, data.xMax],
        ticks: data.xTicks,
        size: X_AXIS_HEIGHT,
        fontPx: CHART_SMALL_FONT_PX,
        title: 'optimizer step',
      }}
      y={{
        domain: [0, 100],
        ticks: [0, 50, 100],
        unit: '%',
        size: Y_AXIS_WIDTH,
        fontPx: CHART_SMALL_FONT_PX,
        title: 'sparsity',
      }}
    >
      {lineSeries([
        ...(gradual
          ? [
              {
                id: 'target',
                data: data.target,
                dataKey: 'percent',
                name: 'target s_t',
                colour: CHART_INK.guide,
                dash: '4 3',
              },
            ]
          : []),
        {
          id: 'masks',
          data: gradual ? data.masks : data.target,
          dataKey: 'percent',
          name: 'mask in force',
          type: 'stepAfter' as const,
          colour,
          width: 2,
        },
      ])}
    </Plot>
  );
});

/**
 * The current step as plain HTML over the plot area: it moves ten times a second during a run,
 * and redrawing the SVG chart that often would block the page.
 */
function ScheduleMarker(props: { step: number; percent: number; done: boolean; xMax: number }) {
  const fraction = props.xMax > 0 ? Math.min(1, Math.max(0, props.step / props.xMax)) : 0;
  const left = `calc(${PLOT.left}px + (100% - ${PLOT.left + PLOT.right}px) * ${fraction})`;
  const top = PLOT.top + PLOT.height * (1 - Math.min(100, Math.max(0, props.percent)) / 100);
  return (
    <>
      <span
        className="chart-guide schedule-guide"
        style={{ left, top: PLOT.top, height: PLOT.height }}
        aria-hidden="true"
      />
      <span
        className={props.done ? 'chart-dot schedule-dot done' : 'chart-dot schedule-dot'}
        style={{ left, top }}
        aria-hidden="true"
      />
    </>
  );
}

/** The schedule chart as a stage editor view of a prune stage. */
export function PruneScheduleExtra({ stage, stageIndex, run, colour }: StageViewProps) {
  if (stage.technique !== 'prune') return null;
  return <ScheduleChart params={stage.params} stageIndex={stageIndex} run={run} colour={colour} />;
}
