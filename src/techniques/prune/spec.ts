import { z } from 'zod';
import { defineTechnique } from '../technique';
import {
  epochsParam,
  fineTuneStage,
  layerNameParam,
  learningRateParam,
  wholePercent,
} from '../params';

const sparsity = z
  .number()
  .min(0, 'sparsity must be in [0, 1)')
  .lt(1, 'sparsity must be below 1: pruning every weight leaves nothing');

/** Pruning: unstructured magnitude, structured (whole units) or N:M. */
export const pruneParams = z
  .object({
    kind: z.enum(['magnitude', 'structured', 'nm']).default('magnitude'),
    scope: z.enum(['layer', 'global']).default('layer'),
    sparsity: sparsity.default(0.5),
    /** How units are ranked; 'order' keeps the first units (no ranking: the naive baseline). */
    criterion: z.enum(['l1', 'l2', 'activation', 'order']).default('l1'),
    n: z.number().int().min(1).max(16).default(2),
    m: z.number().int().min(1).max(16).default(4),
    schedule: z.enum(['one-shot', 'iterative', 'gradual']).default('one-shot'),
    rounds: z.number().int().min(1).max(10).default(3),
    /** Fine-tuning epochs (per round for iterative; the whole ramp for gradual). */
    finetuneEpochs: epochsParam.default(2),
    learningRate: learningRateParam.default(0.001),
    /**
     * Per-layer sparsity (layer name → 0..1) overriding `sparsity` for the named layers, e.g. from
     * a sensitivity scan. Layer-wise magnitude pruning only: global, N:M and structured ignore it.
     */
    layerSparsities: z.record(layerNameParam, sparsity).optional(),
  })
  .refine((p) => p.n <= p.m, { message: 'N must not exceed M in N:M sparsity', path: ['n'] });
export type PruneParams = z.infer<typeof pruneParams>;

/** Whether per-layer sparsities apply: layer-wise magnitude pruning with at least one set. */
export function usesLayerSparsities(
  params: Pick<PruneParams, 'kind' | 'scope' | 'layerSparsities'>,
): boolean {
  return (
    params.kind === 'magnitude' &&
    params.scope === 'layer' &&
    Object.keys(params.layerSparsities ?? {}).length > 0
  );
}

/**
 * Pipeline text, e.g. 'prune 50% global, gradual', 'prune 2:4', 'prune 30% units (l1)',
 * 'prune 50% per layer (2 layers own %)'.
 */
export function pruneSummary(params: PruneParams): string {
  if (params.kind === 'nm') return `prune ${params.n}:${params.m}`;
  const schedule = params.schedule === 'one-shot' ? '' : `, ${params.schedule}`;
  const percent = wholePercent(params.sparsity);
  if (params.kind === 'structured')
    return `prune ${percent} units (${params.criterion})${schedule}`;
  if (usesLayerSparsities(params)) {
    const set = Object.keys(params.layerSparsities ?? {}).length;
    const own = `${set} layer${set === 1 ? '' : 's'} own %`;
    return `prune ${percent} per layer (${own})${schedule}`;
  }
  return `prune ${percent} ${params.scope === 'global' ? 'global' : 'per layer'}${schedule}`;
}

export const pruneSpec = defineTechnique({
  id: 'prune',
  label: 'Prune',
  description: 'Remove the least important weights (or whole units) and fine-tune the rest.',
  params: pruneParams,
  fields: {
    kind: {
      label: 'Kind',
      hint: 'magnitude: single weights; structured: whole units; nm: N of every M',
    },
    scope: { label: 'Scope', hint: 'one threshold per layer, or one for all' },
    sparsity: { label: 'Sparsity', hint: 'fraction of weights removed, 0–0.99' },
    criterion: {
      label: 'Rank units by',
      hint: 'order: keep the first units, no ranking (compare with a norm)',
    },
    n: { label: 'N (kept)' },
    m: { label: 'M (group)' },
    schedule: { label: 'Schedule' },
    rounds: { label: 'Rounds (iterative)' },
    finetuneEpochs: { label: 'Fine-tune epochs' },
    learningRate: { label: 'Learning rate' },
  },
  summary: pruneSummary,
  // Iterative pruning fine-tunes after each round; one-shot and gradual fine-tune once.
  fineTuning: (p) =>
    fineTuneStage(
      p.schedule === 'iterative' ? p.finetuneEpochs * p.rounds : p.finetuneEpochs,
      p.learningRate,
    ),
  stage: () => import('./stage/prune'),
});
