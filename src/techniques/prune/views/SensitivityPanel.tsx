import { useMemo } from 'react';
import { z } from 'zod';
import { ReferenceLine } from 'recharts';
import { isBusy } from '../../../store/actions';
import {
  applySensitivity,
  cancelSensitivityScan,
  guidedSparsities,
  runSensitivityScan,
  setMaxDropPoints,
  teacherIdentity,
  useSensitivityStore,
} from './sensitivity-actions';
import { useStore } from '../../../store/store';
import type { SensitivityTable } from '../../../worker/protocol';
import { Card } from '../../../ui/common/Card';
import { ScanControls } from '../../../ui/common/ScanControls';
import { NumberField } from '../../../ui/common/NumberField';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { lineSeries } from '../../../ui/figure/series';
import { CHART_INK, colourOf } from '../../../ui/palette';
import { dropAxis, sensitivityRows } from './sensitivity-chart-data';

const maxDropSchema = z
  .number()
  .min(0, 'the allowed drop must be at least 0 points')
  .max(100, 'the allowed drop is at most 100 points');

/** Accuracy drop (points) vs sparsity (%), one line per layer, the allowed drop dashed. */
function SensitivityChart({ table, maxDrop }: { table: SensitivityTable; maxDrop: number }) {
  const rows = useMemo(() => sensitivityRows(table), [table]);
  const axis = useMemo(
    () => dropAxis([...table.drop.flat().map((d) => d * 100), maxDrop]),
    [table, maxDrop],
  );
  return (
    <Figure
      testId="chart-sensitivity"
      caption={
        <>
          Each layer pruned alone (others dense, no fine-tuning), teacher accuracy{' '}
          {(table.baseline * 100).toFixed(1)}% on {table.examples.toLocaleString('en-US')}{' '}
          validation examples held out of the training set (the test split only scores the result):
          flat lines can be pruned hard, steep ones should be spared. Dashed: the allowed drop.
        </>
      }
    >
      <Plot
        height={230}
        data={rows}
        legend
        x={{
          dataKey: 'sparsityPercent',
          type: 'number',
          domain: [0, 100],
          unit: '%',
          title: 'sparsity of the pruned layer (%)',
        }}
        y={{
          allowDataOverflow: true,
          domain: axis.domain,
          ticks: axis.ticks,
          title: 'accuracy drop (points)',
        }}
        tooltip={{
          value: (v) => `${v.toFixed(2)} points`,
          label: (s) => `sparsity ${String(s)}%`,
        }}
      >
        <ReferenceLine y={maxDrop} stroke={CHART_INK.guide} strokeDasharray="4 2" />
        {lineSeries(
          table.layers.map((layer, i) => ({
            dataKey: layer.name,
            name: `${layer.name} (${layer.count.toLocaleString('en-US')} w)`,
            colour: colourOf(i),
            dots: true,
          })),
        )}
      </Plot>
    </Figure>
  );
}

/**
 * Sensitivity analysis: scan the teacher layer by layer, then turn a max accuracy drop into
 * per-layer sparsities of a prune stage.
 */
export function SensitivityPanel() {
  const teacher = useStore((s) => s.teacher);
  const busy = useStore(isBusy);
  const state = useSensitivityStore();
  const { status, table, maxDropPoints } = state;
  const running = status === 'running';
  const current = table && state.teacher === teacherIdentity(teacher) ? table : null;
  const picks = useMemo(
    () => (current ? guidedSparsities(current, maxDropPoints) : null),
    [current, maxDropPoints],
  );
  return (
    <Card
      title="Sensitivity analysis"
      subtitle="Prune one layer at a time to see which layers can lose the most weights"
      testId="sensitivity-panel"
    >
      <ScanControls
        what="sensitivity scan"
        verb="prunes"
        testId="sensitivity"
        state={state}
        current={current !== null}
        hasTeacher={teacher !== null}
        busy={busy}
        onRun={() => void runSensitivityScan()}
        onCancel={cancelSensitivityScan}
      />
      {current && picks && (
        <>
          <SensitivityChart table={current} maxDrop={maxDropPoints} />
          <div className="field-grid">
            <NumberField
              label="Max accuracy drop per layer (points)"
              value={maxDropPoints}
              schema={maxDropSchema}
              step={0.5}
              onCommit={setMaxDropPoints}
              hint="1 point = 1 % of the test set"
              testId="sensitivity-max-drop"
            />
          </div>
          <p className="muted" data-testid="sensitivity-picks">
            Largest sparsity within the drop:{' '}
            {Object.entries(picks)
              .map(([name, s]) => `${name} ${Math.round(s * 100)}%`)
              .join(', ')}
            . Pruned together the drops roughly add up: check the combined variant.
          </p>
          <div className="button-row">
            <button
              type="button"
              data-testid="sensitivity-apply"
              disabled={busy || running}
              onClick={applySensitivity}
            >
              Apply to a prune stage
            </button>
          </div>
        </>
      )}
    </Card>
  );
}
