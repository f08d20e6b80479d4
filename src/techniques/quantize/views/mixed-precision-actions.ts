// The quantization sensitivity scan of the teacher and the mixed-precision allocation made from
// it: per-layer weight bits within a size budget, written into a PTQ or QAT stage.
import { create } from 'zustand';
import type { BitAllocation, BitCostTable } from '../mixed-precision';
import { BudgetTooSmallError, allocateBits } from '../mixed-precision';
import type { Stage, Variant } from '../../../experiment/stages';
import { stageSchema } from '../../../experiment/stages';
import type { QuantSensitivityTable } from '../../../worker/protocol';
import { isBusy, notify, updateExperiment } from '../../../store/actions';
import { getEngine } from '../../../store/engine-client';
import type { TeacherScanState } from '../../../store/teacher-scan';
import { cancelTeacherScan, idleScan, runTeacherScan } from '../../../store/teacher-scan';
import { useStore } from '../../../store/store';

export interface MixedPrecisionState extends TeacherScanState<QuantSensitivityTable> {
  /** Size budget as a share of the fp32 model's bytes, in percent. */
  budgetPercent: number;
}

export const useMixedPrecisionStore = create<MixedPrecisionState>(() => ({
  ...idleScan<QuantSensitivityTable>(),
  budgetPercent: 15,
}));

export const MIXED_VARIANT_NAME = 'Mixed precision';

/** Scans the trained teacher at 8, 6, 4, 3 and 2 bits per layer, with progress. */
export async function runQuantScan(): Promise<void> {
  const { experiment } = useStore.getState();
  await runTeacherScan(useMixedPrecisionStore, 'quantization scan', (onProgress) =>
    getEngine().quantSensitivity(experiment, undefined, onProgress),
  );
}

export function cancelQuantScan(): void {
  cancelTeacherScan(useMixedPrecisionStore);
}

export function setBudgetPercent(percent: number): void {
  useMixedPrecisionStore.setState({ budgetPercent: percent });
}

/**
 * The scan as the allocation reads it: each layer's output divergence (KL from the float model)
 * and bytes per width, fixed bytes.
 */
export function costTable(table: QuantSensitivityTable): BitCostTable {
  return {
    bits: table.bits,
    cost: table.divergence,
    bytes: table.layers.map((l) => l.bytes),
    fixedBytes: table.fixedBytes,
  };
}

export type AllocationOutcome =
  { ok: true; allocation: BitAllocation; budgetBytes: number } | { ok: false; message: string };

/** The allocation for a budget of `percent` % of the fp32 bytes, or why there is none. */
export function allocationFor(table: QuantSensitivityTable, percent: number): AllocationOutcome {
  const budgetBytes = Math.round((table.modelBytes * percent) / 100);
  try {
    return { ok: true, allocation: allocateBits(costTable(table), budgetBytes), budgetBytes };
  } catch (error) {
    if (!(error instanceof BudgetTooSmallError)) throw error;
    const least = Math.ceil((1000 * error.smallestBytes) / table.modelBytes) / 10;
    const fewest = Math.min(...table.bits);
    return {
      ok: false,
      message:
        `${percent}% of ${table.modelBytes.toLocaleString('en-US')} B is ` +
        `${budgetBytes.toLocaleString('en-US')} B, but even ${fewest} bits in every layer take ` +
        `${error.smallestBytes.toLocaleString('en-US')} B: raise the budget to at least ${least}%.`,
    };
  }
}

/** Layer name → bits of an allocation. */
export function layerBitsOf(table: QuantSensitivityTable, allocation: BitAllocation) {
  return Object.fromEntries(table.layers.map((l, i) => [l.name, allocation.bits[i]!]));
}

/** Id of the variant an allocation is applied as (applying again replaces it). */
export const MIXED_VARIANT_ID = 'mixed-precision';

/**
 * Adds the allocation as a variant "Mixed precision ≤ N%": the pipeline of the first variant
 * with a PTQ or QAT stage, that stage given the per-layer bits (weightBits set to the widest, so
 * the chip's range is the allocation's) — the uniform variant stays to compare with — or a static
 * PTQ stage from the teacher when there is none. Applying again replaces that variant.
 */
export function applyAllocation(): void {
  const { table, budgetPercent } = useMixedPrecisionStore.getState();
  if (!table) return;
  if (isBusy()) return notify('info', 'Wait for the run to finish before changing variants.');
  const outcome = allocationFor(table, budgetPercent);
  if (!outcome.ok) return notify('error', outcome.message);
  const layerBits = layerBitsOf(table, outcome.allocation);
  const weightBits = Math.max(...outcome.allocation.bits);
  const summary = Object.entries(layerBits)
    .map(([name, bits]) => `${name} ${bits}`)
    .join(', ');
  const isQuant = (s: Stage) => s.technique === 'ptq' || s.technique === 'qat';
  const { variants } = useStore.getState().experiment;
  const base = variants.find((v) => v.id !== MIXED_VARIANT_ID && v.stages.some(isQuant));
  const withBits = (stage: Stage) =>
    stageSchema.parse({
      technique: stage.technique,
      params: { ...stage.params, weightBits, layerBits },
    });
  const stages: Stage[] = base
    ? base.stages.map((s, i) => (i === base.stages.findIndex(isQuant) ? withBits(s) : s))
    : [stageSchema.parse({ technique: 'ptq', params: { weightBits, layerBits } })];
  const variant: Variant = {
    ...(base ?? { source: 'teacher' as const }),
    id: MIXED_VARIANT_ID,
    name: `${MIXED_VARIANT_NAME} ≤ ${Number(budgetPercent.toFixed(2))}%`,
    stages,
  };
  const replaces = variants.some((v) => v.id === MIXED_VARIANT_ID);
  if (!replaces && variants.length >= 12) {
    return notify('info', 'An experiment holds at most 12 variants.');
  }
  updateExperiment(
    (e) => ({
      ...e,
      variants: replaces
        ? e.variants.map((v) => (v.id === MIXED_VARIANT_ID ? variant : v))
        : [...e.variants, variant],
    }),
    false,
  );
  const from = base ? ` (the pipeline of “${base.name}”)` : '';
  notify(
    'info',
    `${replaces ? 'Updated' : 'Added'} “${variant.name}”${from}: weight bits per layer ${summary}. Run it to see.`,
  );
}
