import { z } from 'zod';
import { defineTechnique } from '../technique';
import { epochsParam, learningRateParam } from '../params';

/** Knowledge distillation of the variant's student from the teacher. */
export const distillParams = z.object({
  temperature: z.number().gt(0, 'temperature must be above 0').max(100).default(4),
  alpha: z.number().min(0, 'α must be in [0, 1]').max(1, 'α must be in [0, 1]').default(0.7),
  /** Weight β of the FitNets feature hint (0 = off). */
  hintWeight: z.number().min(0).max(100).default(0),
  epochs: epochsParam.default(3),
  learningRate: learningRateParam.default(0.001),
  /** Also train the same student without the teacher, as the fair baseline. */
  baseline: z.boolean().default(true),
});
export type DistillParams = z.infer<typeof distillParams>;

/** Pipeline text, e.g. 'distill T=4 α=0.7', 'distill T=4 α=0.7 β=1'. */
export function distillSummary(params: DistillParams): string {
  const hint = params.hintWeight > 0 ? ` β=${params.hintWeight}` : '';
  return `distill T=${params.temperature} α=${params.alpha}${hint}`;
}

export const distillSpec = defineTechnique({
  id: 'distill',
  label: 'Distill',
  description: 'Train a student on the teacher’s softened outputs as well as on the labels.',
  params: distillParams,
  fields: {
    temperature: { label: 'Temperature T', hint: 'softens the teacher’s probabilities' },
    alpha: { label: 'α (teacher weight)', hint: 'α·T²·KL + (1−α)·CE' },
    hintWeight: { label: 'Feature hint β', hint: '0 = off' },
    epochs: { label: 'Epochs', hint: '0 skips training' },
    learningRate: { label: 'Learning rate' },
    baseline: { label: 'Also train student alone' },
  },
  summary: distillSummary,
  /**
   * The fair baseline: the same student, seed, epochs, learning rate and optimizer, trained on
   * the labels alone (distill → fine-tune with identical settings).
   */
  baseline: (p) =>
    p.baseline
      ? { technique: 'finetune', params: { epochs: p.epochs, learningRate: p.learningRate } }
      : null,
  usesTeacherOutputs: true,
  stage: () => import('./stage/distill'),
});
