import { z } from 'zod';
import { defineTechnique } from '../technique';
import { epochsParam, fineTuneStage, learningRateParam } from '../params';

/** Fine-tune (or train from scratch) with the same loop as the teacher. */
export const finetuneParams = z.object({
  epochs: epochsParam.default(2),
  learningRate: learningRateParam.default(0.001),
});
export type FinetuneParams = z.infer<typeof finetuneParams>;

export const finetuneSpec = defineTechnique({
  id: 'finetune',
  label: 'Fine-tune',
  description:
    'Train the model further on the labels, with the teacher’s optimizer and batch size.',
  params: finetuneParams,
  fields: {
    epochs: { label: 'Epochs', hint: '0 skips training' },
    learningRate: { label: 'Learning rate' },
  },
  summary: (p) => `fine-tune ${p.epochs} ep`,
  // Inside a compressing pipeline (e.g. prune, then fine-tune) it is extra training to control for.
  fineTuning: (p) => fineTuneStage(p.epochs, p.learningRate),
  stage: () => import('./stage/finetune'),
});
