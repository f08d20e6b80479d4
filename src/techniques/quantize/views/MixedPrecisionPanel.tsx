import { useMemo } from 'react';
import { z } from 'zod';
import { isBusy } from '../../../store/actions';
import { currentTable } from '../../../store/teacher-scan';
import { useStore } from '../../../store/store';
import type { QuantSensitivityTable } from '../../../worker/protocol';
import { Card } from '../../../ui/common/Card';
import { ScanControls } from '../../../ui/common/ScanControls';
import { NumberField } from '../../../ui/common/NumberField';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { lineSeries } from '../../../ui/figure/series';
import { colourOf } from '../../../ui/palette';
import { dropAxis } from '../../prune/views/sensitivity-chart-data';
import type { AllocationOutcome } from './mixed-precision-actions';
import {
  allocationFor,
  applyAllocation,
  cancelQuantScan,
  runQuantScan,
  setBudgetPercent,
  useMixedPrecisionStore,
} from './mixed-precision-actions';
import { bitDropRows } from './mixed-precision-rows';

const budgetSchema = z
  .number()
  .gt(0, 'the budget must be above 0%')
  .max(100, 'the budget is at most 100% of the fp32 size');

const points = (drop: number) => (drop * 100).toFixed(2);
const bytes = (n: number) => n.toLocaleString('en-US');
const kl = (nats: number) => (nats < 1e-4 ? nats.toExponential(1) : nats.toPrecision(2));

/** '8 bits: 27%, 4 bits: 14%, 2 bits: 8%': each uniform width's share of the fp32 bytes. */
function uniformShares(table: QuantSensitivityTable): string {
  return table.bits
    .map((b, j) => {
      const total = table.layers.reduce((sum, l) => sum + l.bytes[j]!, table.fixedBytes);
      return `${b} bits: ${Math.round((100 * total) / table.modelBytes)}%`;
    })
    .join(', ');
}

/** Accuracy drop (points) vs weight bits, one line per layer. */
function BitDropChart({ table }: { table: QuantSensitivityTable }) {
  const rows = useMemo(() => bitDropRows(table), [table]);
  const axis = useMemo(() => dropAxis(table.drop.flat().map((d) => d * 100)), [table]);
  return (
    <Figure
      testId="chart-quant-sensitivity"
      caption={
        <>
          Each layer alone quantized (weights, symmetric per-channel; the others float), teacher
          accuracy {(table.baseline * 100).toFixed(1)}% on {bytes(table.examples)} validation
          examples: a layer whose line stays flat can take few bits, a steep one needs more.
        </>
      }
    >
      <Plot
        height={230}
        data={rows}
        legend
        x={{
          dataKey: 'bits',
          type: 'number',
          domain: [Math.min(...table.bits), Math.max(...table.bits)],
          integers: true,
          title: 'weight bits of the quantized layer',
        }}
        y={{
          allowDataOverflow: true,
          domain: axis.domain,
          ticks: axis.ticks,
          title: 'accuracy drop (points)',
        }}
        tooltip={{
          value: (v) => `${v.toFixed(2)} points`,
          label: (b) => `${String(b)} bits`,
        }}
      >
        {lineSeries(
          table.layers.map((layer, i) => ({
            dataKey: layer.name,
            name: `${layer.name} (${bytes(layer.count)} w)`,
            colour: colourOf(i),
            dots: true,
          })),
        )}
      </Plot>
    </Figure>
  );
}

/** The chosen bits per layer, their bytes and measured drops, and the totals. */
function AllocationTable({
  table,
  outcome,
}: {
  table: QuantSensitivityTable;
  outcome: Extract<AllocationOutcome, { ok: true }>;
}) {
  const { allocation, budgetBytes } = outcome;
  const share = (n: number) => `${((100 * n) / table.modelBytes).toFixed(1)}%`;
  return (
    <div className="table-scroll">
      <table className="data-table" data-testid="mixed-allocation">
        <caption>
          Bits per layer that change the outputs the least within {bytes(budgetBytes)} B (the sum of
          each layer&apos;s KL divergence from the float model;
          {allocation.method === 'exact' ? ' every allocation searched' : ' greedy by KL per byte'}
          ).
        </caption>
        <thead>
          <tr>
            <th scope="col">layer</th>
            <th scope="col">bits</th>
            <th scope="col">kernel bytes</th>
            <th scope="col">drop alone (points)</th>
            <th scope="col">output change (KL)</th>
          </tr>
        </thead>
        <tbody>
          {table.layers.map((layer, l) => {
            const j = allocation.choice[l]!;
            return (
              <tr key={layer.name} data-testid="mixed-allocation-row" data-layer={layer.name}>
                <th scope="row">{layer.name}</th>
                <td data-testid="mixed-bits">{allocation.bits[l]}</td>
                <td>{bytes(layer.bytes[j]!)}</td>
                <td>{points(table.drop[l]![j]!)}</td>
                <td>{kl(table.divergence[l]![j]!)}</td>
              </tr>
            );
          })}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">model</th>
            <td />
            <td data-testid="mixed-total-bytes">
              {bytes(allocation.bytes)} ({share(allocation.bytes)})
            </td>
            <td />
            <td data-testid="mixed-total-kl">{kl(allocation.predictedCost)}</td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

/**
 * Mixed precision: scan the teacher layer by layer at 8 … 2 bits, then give each layer the bits
 * that fit a size budget with the least predicted accuracy loss, and write them into a stage.
 */
export function MixedPrecisionPanel() {
  const teacher = useStore((s) => s.teacher);
  const busy = useStore(isBusy);
  const state = useMixedPrecisionStore();
  const { status, budgetPercent } = state;
  const running = status === 'running';
  const table = currentTable(state, teacher);
  const outcome = useMemo(
    () => (table ? allocationFor(table, budgetPercent) : null),
    [table, budgetPercent],
  );
  return (
    <Card
      title="Mixed precision"
      subtitle="Quantize one layer at a time, then spend the bits where they matter"
      testId="mixed-precision-panel"
    >
      <ScanControls
        what="quantization scan"
        verb="quantizes"
        testId="quant-scan"
        state={state}
        current={table !== null}
        hasTeacher={teacher !== null}
        busy={busy}
        onRun={() => void runQuantScan()}
        onCancel={cancelQuantScan}
      />
      {table && outcome && (
        <>
          <BitDropChart table={table} />
          <div className="field-grid">
            <NumberField
              label="Size budget (% of fp32)"
              value={budgetPercent}
              schema={budgetSchema}
              step={1}
              onCommit={setBudgetPercent}
              hint={`fp32: ${bytes(table.modelBytes)} B; every layer at ${uniformShares(table)}`}
              testId="mixed-budget"
            />
          </div>
          {outcome.ok ? (
            <>
              <AllocationTable table={table} outcome={outcome} />
              <p className="muted">
                Accuracy on a few thousand examples moves in coarse steps, so the allocation weighs
                how much each layer changes the output probabilities instead (KL divergence, which
                adds up across layers). Quantized together the layers interact: run the variant to
                see the real accuracy. Static PTQ adds 8 B per activation grid.
              </p>
              <div className="button-row">
                <button
                  type="button"
                  data-testid="mixed-apply"
                  disabled={busy || running}
                  onClick={applyAllocation}
                >
                  Add as a mixed-precision variant
                </button>
              </div>
            </>
          ) : (
            <p className="field-error" role="alert" data-testid="mixed-budget-error">
              {outcome.message}
            </p>
          )}
        </>
      )}
    </Card>
  );
}
