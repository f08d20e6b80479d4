import { z } from 'zod';
import { architectureSchema } from './architecture';

const bits = z
  .number()
  .int('bits must be a whole number')
  .min(2, 'bits must be between 2 and 16')
  .max(16, 'bits must be between 2 and 16');
const epochs = z.number().int().min(0).max(50);
const learningRate = z.number().gt(0, 'learning rate must be above 0').max(1);

/** Fine-tune (or train from scratch) with the same loop as the teacher. */
export const finetuneParams = z.object({
  epochs: epochs.default(2),
  learningRate: learningRate.default(0.001),
});

/** Post-training quantization: dynamic (weights only) or static (weights and activations). */
export const ptqParams = z.object({
  mode: z.enum(['dynamic', 'static']).default('static'),
  weightBits: bits.default(8),
  activationBits: bits.default(8),
  scheme: z.enum(['symmetric', 'asymmetric']).default('symmetric'),
  granularity: z.enum(['per-tensor', 'per-channel']).default('per-channel'),
  /** Power-of-two (log2) weight levels instead of uniform ones. */
  powerOfTwo: z.boolean().default(false),
  observer: z.enum(['minmax', 'ema', 'percentile']).default('minmax'),
  emaMomentum: z.number().min(0).max(0.9999).default(0.9),
  percentile: z
    .number()
    .gt(0, 'percentile must be in (0, 100]')
    .max(100, 'percentile must be in (0, 100]')
    .default(99.99),
  calibrationSize: z
    .number()
    .int()
    .min(1, 'the calibration set cannot be empty')
    .max(10_000)
    .default(256),
});

/** Quantization-aware training with fake-quant layers and a straight-through estimator. */
export const qatParams = z.object({
  weightBits: bits.default(8),
  activationBits: bits.default(8),
  scheme: z.enum(['symmetric', 'asymmetric']).default('symmetric'),
  granularity: z.enum(['per-tensor', 'per-channel']).default('per-channel'),
  /** Learn the weight scales (LSQ) instead of taking them from min/max. */
  learnedScale: z.boolean().default(false),
  /** Start from random weights instead of fine-tuning the input model. */
  fromScratch: z.boolean().default(false),
  epochs: epochs.default(2),
  learningRate: learningRate.default(0.0005),
});

/** Pruning: unstructured magnitude, structured (whole units) or N:M. */
export const pruneParams = z
  .object({
    kind: z.enum(['magnitude', 'structured', 'nm']).default('magnitude'),
    scope: z.enum(['layer', 'global']).default('layer'),
    sparsity: z
      .number()
      .min(0, 'sparsity must be in [0, 1)')
      .lt(1, 'sparsity must be below 1: pruning every weight leaves nothing')
      .default(0.5),
    criterion: z.enum(['l1', 'l2', 'activation']).default('l1'),
    n: z.number().int().min(1).max(16).default(2),
    m: z.number().int().min(1).max(16).default(4),
    schedule: z.enum(['one-shot', 'iterative', 'gradual']).default('one-shot'),
    rounds: z.number().int().min(1).max(10).default(3),
    /** Fine-tuning epochs (per round for iterative; the whole ramp for gradual). */
    finetuneEpochs: epochs.default(2),
    learningRate: learningRate.default(0.001),
    /**
     * Per-layer sparsity (layer name → 0..1) overriding `sparsity` for the named layers, e.g. from
     * a sensitivity scan. Layer-wise magnitude pruning only: global, N:M and structured ignore it.
     */
    layerSparsities: z
      .record(
        z
          .string()
          .regex(/^[a-z0-9_]{1,40}$/, 'layer names are 1–40 lowercase letters, digits or _'),
        z
          .number()
          .min(0, 'sparsity must be in [0, 1)')
          .lt(1, 'sparsity must be below 1: pruning every weight leaves nothing'),
      )
      .optional(),
  })
  .refine((p) => p.n <= p.m, { message: 'N must not exceed M in N:M sparsity', path: ['n'] });

/** Knowledge distillation of the variant's student from the teacher. */
export const distillParams = z.object({
  temperature: z.number().gt(0, 'temperature must be above 0').max(100).default(4),
  alpha: z.number().min(0, 'α must be in [0, 1]').max(1, 'α must be in [0, 1]').default(0.7),
  /** Weight β of the FitNets feature hint (0 = off). */
  hintWeight: z.number().min(0).max(100).default(0),
  epochs: epochs.default(3),
  learningRate: learningRate.default(0.001),
  /** Also train the same student without the teacher, as the fair baseline. */
  baseline: z.boolean().default(true),
});

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
  finetuneEpochs: epochs.default(1),
  learningRate: learningRate.default(0.001),
});

export const stageSchema = z.discriminatedUnion('technique', [
  z.object({
    technique: z.literal('finetune'),
    params: finetuneParams.default(finetuneParams.parse({})),
  }),
  z.object({ technique: z.literal('ptq'), params: ptqParams.default(ptqParams.parse({})) }),
  z.object({ technique: z.literal('qat'), params: qatParams.default(qatParams.parse({})) }),
  z.object({ technique: z.literal('prune'), params: pruneParams.default(pruneParams.parse({})) }),
  z.object({
    technique: z.literal('distill'),
    params: distillParams.default(distillParams.parse({})),
  }),
  z.object({
    technique: z.literal('lowrank'),
    params: lowrankParams.default(lowrankParams.parse({})),
  }),
]);
export type Stage = z.infer<typeof stageSchema>;
export type TechniqueId = Stage['technique'];
export type FinetuneParams = z.infer<typeof finetuneParams>;
export type PtqParams = z.infer<typeof ptqParams>;
export type QatParams = z.infer<typeof qatParams>;
export type PruneParams = z.infer<typeof pruneParams>;
export type DistillParams = z.infer<typeof distillParams>;
export type LowrankParams = z.infer<typeof lowrankParams>;

export const TECHNIQUE_LABELS: Record<TechniqueId, string> = {
  finetune: 'Fine-tune',
  ptq: 'Post-training quantization',
  qat: 'Quantization-aware training',
  prune: 'Prune',
  distill: 'Distill',
  lowrank: 'Low-rank (SVD)',
};

/** A variant: a named pipeline of stages from the teacher or from a fresh student. */
export const variantSchema = z
  .object({
    id: z
      .string()
      .regex(/^[a-z0-9-]{1,32}$/, 'variant ids are 1–32 lowercase letters, digits or dashes'),
    name: z.string().min(1).max(60),
    source: z.enum(['teacher', 'student']).default('teacher'),
    /** The student's architecture (source 'student' only). */
    student: architectureSchema.optional(),
    stages: z.array(stageSchema).max(8).default([]),
  })
  .refine((v) => v.source === 'teacher' || v.student !== undefined, {
    message: 'a variant that starts from a student needs the student architecture',
    path: ['student'],
  });
export type Variant = z.infer<typeof variantSchema>;
