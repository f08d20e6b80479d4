// Sensitivity scan of the teacher (prune each layer alone, see how accuracy drops) and turning it
// into per-layer sparsities of a prune stage. Kept in its own small store: only the panel reads it.
import { create } from 'zustand';
import { pickLayerSparsities } from '../sensitivity';
import type { Stage, Variant } from '../../../experiment/stages';
import { stageSchema } from '../../../experiment/stages';
import type { SensitivityTable } from '../../../worker/protocol';
import { isBusy, notify, updateExperiment } from '../../../store/actions';
import { getEngine } from '../../../store/engine-client';
import type { TeacherScanState } from '../../../store/teacher-scan';
import {
  cancelTeacherScan,
  idleScan,
  runTeacherScan,
  teacherIdentity,
} from '../../../store/teacher-scan';
import { useStore } from '../../../store/store';

export interface SensitivityState extends TeacherScanState<SensitivityTable> {
  /** Largest accepted accuracy drop per layer, in percentage points (1 = 0.01 accuracy). */
  maxDropPoints: number;
}

export const useSensitivityStore = create<SensitivityState>(() => ({
  ...idleScan<SensitivityTable>(),
  maxDropPoints: 1,
}));

export const GUIDED_VARIANT_NAME = 'Sensitivity-guided pruning';
const LAYER_NAME = /^[a-z0-9_]{1,40}$/;

export { teacherIdentity };

/** Scans the trained teacher over the default grid (10 % … 90 %), with progress. */
export async function runSensitivityScan(): Promise<void> {
  const { experiment } = useStore.getState();
  await runTeacherScan(useSensitivityStore, 'sensitivity scan', (onProgress) =>
    getEngine().sensitivity(experiment, undefined, onProgress),
  );
}

/** Stops a running scan (the engine stops between two evaluations). */
export function cancelSensitivityScan(): void {
  cancelTeacherScan(useSensitivityStore);
}

export function setMaxDropPoints(points: number): void {
  useSensitivityStore.setState({ maxDropPoints: points });
}

/** Layer name → sparsity for a max drop of `maxDropPoints` points (pickLayerSparsities). */
export function guidedSparsities(table: SensitivityTable, maxDropPoints: number) {
  const picks = pickLayerSparsities(table, maxDropPoints / 100);
  const entries = table.layers.map((l, i) => [l.name, picks[i] ?? 0] as const);
  return Object.fromEntries(entries.filter(([name]) => LAYER_NAME.test(name)));
}

function freshId(variants: readonly Variant[]): string {
  for (let i = 1; ; i++) {
    const id = i === 1 ? 'sensitivity' : `sensitivity-${i}`;
    if (!variants.some((v) => v.id === id)) return id;
  }
}

const percent = (s: number) => `${Math.round(s * 100)}%`;

/**
 * Writes the picked per-layer sparsities into the first prune stage of the first variant that
 * has one (made layer-wise magnitude, the only kind that reads them), or adds a variant
 * "Sensitivity-guided pruning" from the teacher with such a stage; tells the user what was set.
 */
export function applySensitivity(): void {
  const { table, maxDropPoints } = useSensitivityStore.getState();
  if (!table) return;
  if (isBusy()) return notify('info', 'Wait for the run to finish before changing variants.');
  const layerSparsities = guidedSparsities(table, maxDropPoints);
  const summary = Object.entries(layerSparsities)
    .map(([name, s]) => `${name} ${percent(s)}`)
    .join(', ');
  const { variants } = useStore.getState().experiment;
  const target = variants.find((v) => v.stages.some((s) => s.technique === 'prune'));
  if (target) {
    const index = target.stages.findIndex((s) => s.technique === 'prune');
    const stage = target.stages[index] as Extract<Stage, { technique: 'prune' }>;
    const switched = stage.params.kind !== 'magnitude' || stage.params.scope !== 'layer';
    const next = stageSchema.parse({
      technique: 'prune',
      params: { ...stage.params, kind: 'magnitude', scope: 'layer', layerSparsities },
    });
    updateExperiment(
      (e) => ({
        ...e,
        variants: e.variants.map((v) =>
          v.id === target.id
            ? { ...v, stages: v.stages.map((s, i) => (i === index ? next : s)) }
            : v,
        ),
      }),
      false,
    );
    const note = switched ? ' (switched to layer-wise magnitude pruning, which reads them)' : '';
    return notify('info', `“${target.name}”, prune stage: per-layer sparsity ${summary}${note}.`);
  }
  if (variants.length >= 12) return notify('info', 'An experiment holds at most 12 variants.');
  const stage = stageSchema.parse({
    technique: 'prune',
    params: { layerSparsities, finetuneEpochs: 1 },
  });
  const variant: Variant = {
    id: freshId(variants),
    name: GUIDED_VARIANT_NAME,
    source: 'teacher',
    stages: [stage],
  };
  updateExperiment((e) => ({ ...e, variants: [...e.variants, variant] }), false);
  notify('info', `Added “${GUIDED_VARIANT_NAME}”: per-layer sparsity ${summary}. Run it to see.`);
}
