import { z } from 'zod';
import { defineTechnique } from '../technique';
import { epochsParam, fineTuneStage, learningRateParam } from '../params';

/** Weight sharing: each layer's weights clustered into k = 2^bits shared values by k-means. */
export const shareParams = z.object({
  /** Bits per index; the codebook holds k = 2^bits centroids. */
  bits: z
    .number()
    .int('bits must be a whole number')
    .min(2, 'bits must be between 2 and 8')
    .max(8, 'bits must be between 2 and 8')
    .default(4),
  /** Epochs of centroid fine-tuning (0: the k-means centroids as they are). */
  finetuneEpochs: epochsParam.default(1),
  learningRate: learningRateParam.default(0.002),
});
export type ShareParams = z.infer<typeof shareParams>;

/** Pipeline text, e.g. 'k-means 4-bit (16 shared values)'. */
export function shareSummary(params: ShareParams): string {
  return `k-means ${params.bits}-bit (${2 ** params.bits} shared values)`;
}

export const shareSpec = defineTechnique({
  id: 'share',
  label: 'Weight sharing (k-means)',
  description:
    'Cluster each layer’s weights into 2^bits shared values; store a small index per weight and one codebook per layer.',
  params: shareParams,
  fields: {
    bits: { label: 'Index bits', hint: 'k = 2^bits centroids per layer, 2–8 bits' },
    finetuneEpochs: { label: 'Centroid fine-tune epochs', hint: '0 keeps the k-means centroids' },
    learningRate: { label: 'Learning rate' },
  },
  summary: shareSummary,
  fineTuning: (p) => fineTuneStage(p.finetuneEpochs, p.learningRate),
  stage: () => import('./stage/share'),
});
