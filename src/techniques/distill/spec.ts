import { z } from 'zod';
import { defineTechnique } from '../technique';
import { epochsParam, learningRateParam } from '../params';

/** Knowledge distillation of the variant's student from the teacher. */
export const distillParams = z.object({
  temperature: z.number().gt(0, 'temperature must be above 0').max(100).default(4),
  alpha: z.number().min(0, 'α must be in [0, 1]').max(1, 'α must be in [0, 1]').default(0.7),
  /** Weight β of the FitNets feature hint (0 = off). */
  hintWeight: z.number().min(0).max(100).default(0),
  /** Weight γ of relation distillation (RKD distances between examples, 0 = off). */
  relationWeight: z.number().min(0).max(100).default(0),
  /** Weight of attention transfer between the last conv feature maps (CNNs, 0 = off). */
  attentionWeight: z.number().min(0).max(1000).default(0),
  epochs: epochsParam.default(3),
  learningRate: learningRateParam.default(0.001),
  /** Also train the same student without the teacher, as the fair baseline. */
  baseline: z.boolean().default(true),
});
export type DistillParams = z.infer<typeof distillParams>;

/** Pipeline text, e.g. 'distill T=4 α=0.7', 'distill T=4 α=0.7 β=1 γ=2 AT=100'. */
export function distillSummary(params: DistillParams): string {
  const extras = [
    params.hintWeight > 0 ? ` β=${params.hintWeight}` : '',
    params.relationWeight > 0 ? ` γ=${params.relationWeight}` : '',
    params.attentionWeight > 0 ? ` AT=${params.attentionWeight}` : '',
  ];
  return `distill T=${params.temperature} α=${params.alpha}${extras.join('')}`;
}

/** Whether any feature-level term (hint, relation, attention) is on. */
export function usesFeatures(params: DistillParams): boolean {
  return params.hintWeight > 0 || params.relationWeight > 0 || params.attentionWeight > 0;
}

export const distillSpec = defineTechnique({
  id: 'distill',
  label: 'Distill',
  description:
    'Train a student on the teacher’s softened outputs and labels; optionally on its features, relations between examples, or attention maps.',
  params: distillParams,
  fields: {
    temperature: { label: 'Temperature T', hint: 'softens the teacher’s probabilities' },
    alpha: { label: 'α (teacher weight)', hint: 'α·T²·KL + (1−α)·CE' },
    hintWeight: { label: 'Feature hint β', hint: 'FitNets: match the last hidden layer; 0 = off' },
    relationWeight: {
      label: 'Relation γ',
      hint: 'RKD: match distances between examples in a batch; 0 = off',
    },
    attentionWeight: {
      label: 'Attention transfer',
      hint: 'CNNs: match where the last conv layers look; 0 = off',
    },
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
