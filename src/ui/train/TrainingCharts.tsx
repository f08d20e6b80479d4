import { useMemo } from 'react';
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
import type { EpochRecord, StepRecord } from '../../worker/protocol';
import { colourOf } from '../palette';
import { downsampleIndices, movingAverage } from './smoothing';

const MAX_POINTS = 400;

/** Live curves: training loss and accuracy per step (smoothed), test accuracy per epoch. */
export function TrainingCharts({ steps, epochs }: { steps: StepRecord[]; epochs: EpochRecord[] }) {
  const stepData = useMemo(() => {
    const window = Math.max(1, Math.round(steps.length / 50));
    const loss = movingAverage(
      steps.map((s) => s.loss),
      window,
    );
    const acc = movingAverage(
      steps.map((s) => s.accuracy),
      window,
    );
    return downsampleIndices(steps.length, MAX_POINTS).map((i) => ({
      step: steps[i]!.step + 1,
      loss: loss[i]!,
      accuracy: acc[i]! * 100,
    }));
  }, [steps]);
  const epochData = epochs.map((e) => ({ epoch: e.epoch + 1, test: e.testAccuracy * 100 }));
  return (
    <div className="charts" data-testid="training-charts">
      <figure>
        <ResponsiveContainer width="100%" height={200}>
          <LineChart data={stepData} margin={{ top: 8, right: 12, bottom: 16, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" />
            <XAxis
              dataKey="step"
              type="number"
              domain={[1, 'dataMax']}
              label={{ value: 'step', position: 'insideBottom', offset: -8 }}
            />
            <YAxis
              yAxisId="loss"
              width={44}
              label={{ value: 'loss', angle: -90, position: 'insideLeft' }}
            />
            <YAxis yAxisId="acc" orientation="right" domain={[0, 100]} width={40} unit="%" />
            <Tooltip formatter={(v) => (typeof v === 'number' ? v.toFixed(3) : String(v))} />
            <Legend verticalAlign="top" height={24} />
            <Line
              yAxisId="loss"
              dataKey="loss"
              name="train loss"
              stroke={colourOf(0)}
              dot={false}
              isAnimationActive={false}
            />
            <Line
              yAxisId="acc"
              dataKey="accuracy"
              name="train accuracy (%)"
              stroke={colourOf(1)}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
        <figcaption>
          Training loss should fall and accuracy rise; a smoothed window over recent batches.
        </figcaption>
      </figure>
      {epochData.length > 0 && (
        <figure>
          <ResponsiveContainer width="100%" height={160}>
            <LineChart data={epochData} margin={{ top: 8, right: 12, bottom: 16, left: 0 }}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis
                dataKey="epoch"
                type="number"
                allowDecimals={false}
                domain={[1, 'dataMax']}
                label={{ value: 'epoch', position: 'insideBottom', offset: -8 }}
              />
              <YAxis domain={[0, 100]} unit="%" width={44} />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))}
              />
              <Line
                dataKey="test"
                name="test accuracy"
                stroke={colourOf(2)}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
          <figcaption>
            Test accuracy after each epoch: if it stalls while training accuracy climbs, the model
            overfits.
          </figcaption>
        </figure>
      )}
    </div>
  );
}
