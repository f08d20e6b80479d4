import { memo, useMemo } from 'react';
import type { EpochRecord, StepRecord } from '../../worker/protocol';
import { LiveChart } from '../common/LiveChart';
import type { LiveSeries } from '../common/LiveChart';
import { useThrottled } from '../common/throttle';
import { niceTicks } from '../common/ticks';
import { colourOf } from '../palette';
import { downsampleIndices, movingAverage } from './smoothing';

const MAX_POINTS = 300;
/** Live redraws at most this often, ms: the page gets progress ~10×/s, a reader needs far less. */
const REDRAW_MS = 500;
const PERCENT: readonly [number, number] = [0, 100];
const PERCENT_TICKS = [0, 25, 50, 75, 100];

/** Live curves: training loss and accuracy per step (smoothed), test accuracy per epoch. */
export function TrainingCharts(live: { steps: StepRecord[]; epochs: EpochRecord[] }) {
  const steps = useThrottled(live.steps, REDRAW_MS);
  const epochs = useThrottled(live.epochs, REDRAW_MS);
  return <Charts steps={steps} epochs={epochs} />;
}

const Charts = memo(function Charts({
  steps,
  epochs,
}: {
  steps: StepRecord[];
  epochs: EpochRecord[];
}) {
  const stepSeries = useMemo((): LiveSeries[] => {
    const window = Math.max(1, Math.round(steps.length / 50));
    const loss = movingAverage(
      steps.map((s) => s.loss),
      window,
    );
    const acc = movingAverage(
      steps.map((s) => s.accuracy),
      window,
    );
    const kept = downsampleIndices(steps.length, MAX_POINTS);
    const at = (values: number[]) => kept.map((i) => ({ x: steps[i]!.step + 1, y: values[i]! }));
    return [
      {
        name: 'train loss',
        colour: colourOf(0),
        axis: 'left',
        points: at(loss),
        format: (y) => y.toFixed(3),
      },
      {
        name: 'train accuracy',
        colour: colourOf(1),
        axis: 'right',
        points: at(acc.map((a) => a * 100)),
        format: (y) => `${y.toFixed(1)}%`,
      },
    ];
  }, [steps]);
  const epochSeries = useMemo(
    (): LiveSeries[] => [
      {
        name: 'test accuracy',
        colour: colourOf(2),
        axis: 'left',
        points: epochs.map((e) => ({ x: e.epoch + 1, y: e.testAccuracy * 100 })),
        dots: true,
        format: (y) => `${y.toFixed(1)}%`,
      },
    ],
    [epochs],
  );
  const [lossLine, accLine] = stepSeries;
  const lastLoss = lossLine?.points.at(-1);
  const lastAcc = accLine?.points.at(-1);
  const lastTest = epochs.at(-1);
  return (
    <div className="charts" data-testid="training-charts">
      <figure>
        <LiveChart
          series={stepSeries}
          xLabel="step"
          leftLabel="loss"
          rightLabel="accuracy"
          rightDomain={PERCENT}
          rightTicks={PERCENT_TICKS}
          rightUnit="%"
          height={180}
          testId="chart-training-steps"
          ariaLabel={
            lastLoss && lastAcc
              ? `Training curves up to step ${lastLoss.x}: smoothed train loss ${lastLoss.y.toFixed(3)}, train accuracy ${lastAcc.y.toFixed(1)}%.`
              : 'Training curves: no steps yet.'
          }
        />
        <figcaption>
          Training loss should fall and accuracy rise; a smoothed window over recent batches.
        </figcaption>
      </figure>
      {epochs.length > 0 && (
        <figure>
          <LiveChart
            series={epochSeries}
            xLabel="epoch"
            leftLabel="accuracy"
            leftDomain={PERCENT}
            leftTicks={PERCENT_TICKS}
            leftUnit="%"
            xDomain={[1, Math.max(2, epochs.length)]}
            xTicks={epochTicks(epochs.length)}
            height={150}
            testId="chart-training-epochs"
            ariaLabel={
              lastTest
                ? `Test accuracy ${(lastTest.testAccuracy * 100).toFixed(1)}% after epoch ${lastTest.epoch + 1}.`
                : ''
            }
          />
          <figcaption>
            Test accuracy after each epoch: if it stalls while training accuracy climbs, the model
            overfits.
          </figcaption>
        </figure>
      )}
    </div>
  );
});

/** Every epoch up to 10, then round numbers (10, 20, …). */
function epochTicks(count: number): number[] {
  if (count <= 10) return Array.from({ length: count }, (_, i) => i + 1);
  return niceTicks(0, count, 5).filter((t) => t >= 1);
}
