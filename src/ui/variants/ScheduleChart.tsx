import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import {
  CartesianGrid,
  Line,
  LineChart,
  ReferenceDot,
  ReferenceLine,
  ResponsiveContainer,
  XAxis,
  YAxis,
} from 'recharts';
import type { PruneParams } from '../../experiment/stages';
import type { VariantRunState } from '../../store/store';
import { useStore } from '../../store/store';
import { xTitle, yTitle } from '../views/axes';
import {
  pruneStepsPerEpoch,
  scheduleChartData,
  scheduleMarker,
  scheduleSummary,
} from './schedule-data';

interface Props {
  params: PruneParams;
  /** Index of this prune stage in its variant's pipeline. */
  stageIndex: number;
  run: VariantRunState | undefined;
  /** The variant's colour. */
  colour: string;
}

const MARGIN = { top: 6, right: 10, bottom: 16, left: 0 };

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
    <figure
      data-testid="chart-schedule"
      data-layout={plan.layout}
      data-total-steps={plan.totalSteps}
      data-mask-updates={plan.updates.length}
      data-marker-step={marker?.step ?? ''}
      data-marker-done={marker ? String(marker.done) : ''}
    >
      <div role="img" aria-label={`Pruning schedule: ${summary}`}>
        <ResponsiveContainer width="100%" height={140}>
          <LineChart margin={MARGIN}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={[0, data.xMax]}
              ticks={data.xTicks}
              fontSize={11}
              label={xTitle('optimizer step')}
            />
            <YAxis
              width={46}
              domain={[0, 100]}
              ticks={[0, 50, 100]}
              unit="%"
              fontSize={11}
              label={yTitle('sparsity')}
            />
            {gradual && (
              <Line
                data={data.target}
                dataKey="percent"
                name="target s_t"
                stroke="#5b6573"
                strokeDasharray="4 3"
                dot={false}
                isAnimationActive={false}
              />
            )}
            <Line
              data={gradual ? data.masks : data.target}
              dataKey="percent"
              name="mask in force"
              type="stepAfter"
              stroke={colour}
              strokeWidth={2}
              dot={false}
              isAnimationActive={false}
            />
            {marker && <ReferenceLine x={marker.step} stroke="#5b6573" strokeDasharray="2 2" />}
            {marker && (
              <ReferenceDot
                x={marker.step}
                y={marker.percent}
                r={5}
                fill={marker.done ? '#5b6573' : '#d55e00'}
                stroke="#fff"
              />
            )}
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption>
        Target sparsity over the fine-tuning steps
        {gradual ? ' (grey dashes: the cubic ramp; steps: the masks actually applied)' : ''}; the
        dot is where training is now. {summary}
        {plan.note ? ` Note: ${plan.note}.` : ''}
      </figcaption>
    </figure>
  );
}
