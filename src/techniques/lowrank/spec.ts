import { z } from 'zod';
import { defineTechnique } from '../technique';
import { epochsParam, fineTuneStage, learningRateParam, wholePercent } from '../params';

/** Low-rank factorization of dense layers by truncated SVD. */
export const lowrankParams = z.object({
  rankMode: z.enum(['rank', 'energy']).default('energy'),
  rank: z.number().int().min(1, 'rank must be at least 1').max(1024).default(8),
  energy: z
    .number()
    .gt(0, 'energy must be in (0, 1]')
    .max(1, 'energy must be in (0, 1]')
    .default(0.9),
  /** Also factor conv kernels (reshaped to 2-D: a k×k conv with r filters, then a 1×1 conv). */
  convs: z.boolean().default(false),
  finetuneEpochs: epochsParam.default(1),
  learningRate: learningRateParam.default(0.001),
});
export type LowrankParams = z.infer<typeof lowrankParams>;

/** Pipeline text, e.g. 'low-rank r=8', 'low-rank 90% energy'. */
export function lowrankSummary(params: LowrankParams): string {
  return params.rankMode === 'rank'
    ? `low-rank r=${params.rank}`
    : `low-rank ${wholePercent(params.energy)} energy`;
}

export const lowrankSpec = defineTechnique({
  id: 'lowrank',
  label: 'Low-rank (SVD)',
  description: 'Replace each weight matrix by two thin ones from its truncated SVD.',
  params: lowrankParams,
  fields: {
    rankMode: { label: 'Rank by' },
    rank: { label: 'Rank r' },
    energy: { label: 'Energy kept', hint: 'fraction of Σσ², e.g. 0.9' },
    convs: { label: 'Factor conv layers too' },
    finetuneEpochs: { label: 'Fine-tune epochs' },
    learningRate: { label: 'Learning rate' },
  },
  summary: lowrankSummary,
  fineTuning: (p) => fineTuneStage(p.finetuneEpochs, p.learningRate),
  stage: () => import('./stage/lowrank'),
});
