import { z } from 'zod';
import { architectureSchema } from './architecture';
import { variantSchema } from './stages';

/** Datasets the app knows: two image sets served from public/data, five synthetic 2-D sets. */
export const IMAGE_DATASETS = ['mnist', 'fashion'] as const;
export const SYNTHETIC_DATASETS = ['spiral', 'moons', 'circles', 'xor', 'gaussians'] as const;
export const DATASET_IDS = [...IMAGE_DATASETS, ...SYNTHETIC_DATASETS] as const;
export type DatasetId = (typeof DATASET_IDS)[number];

export const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const datasetSchema = z.object({
  id: z.enum(DATASET_IDS).default('spiral'),
  trainSize: z.number().int().min(10).max(60_000).default(1000),
  testSize: z.number().int().min(10).max(10_000).default(500),
  /** Standard deviation of the Gaussian noise added to synthetic points (ignored for images). */
  noise: z.number().min(0).max(1).default(0.1),
});
export type DatasetSpec = z.infer<typeof datasetSchema>;

export {
  ACTIVATIONS,
  architectureSchema,
  cnnSchema,
  convLayerSchema,
  mlpSchema,
} from './architecture';
export type { ArchitectureSpec, CnnSpec, MlpSpec } from './architecture';

export const trainingSchema = z.object({
  optimizer: z.enum(['adam', 'sgd']).default('adam'),
  learningRate: z.number().gt(0, 'learning rate must be above 0').max(10).default(0.01),
  /** SGD momentum (ignored by Adam). */
  momentum: z.number().min(0).max(0.999).default(0.9),
  batchSize: z.number().int().min(1, 'batch size must be at least 1').max(4096).default(32),
  epochs: z.number().int().min(1).max(200).default(10),
});
export type TrainingSpec = z.infer<typeof trainingSchema>;

export const teacherSchema = z.object({
  architecture: architectureSchema.default({ kind: 'mlp', hidden: [16, 16], activation: 'relu' }),
  training: trainingSchema.default(trainingSchema.parse({})),
});
export type TeacherSpec = z.infer<typeof teacherSchema>;

export const experimentSchema = z.object({
  v: z.literal(1).default(1),
  name: z.string().max(120).default('Untitled experiment'),
  seed: z
    .number()
    .int()
    .min(0)
    .max(2 ** 31 - 1)
    .default(42),
  backend: z.enum(['auto', ...BACKENDS]).default('auto'),
  /** Add an fp32 control for each variant that trains (see expandVariants). */
  controls: z.boolean().default(true),
  dataset: datasetSchema.default(datasetSchema.parse({})),
  teacher: teacherSchema.default(teacherSchema.parse({})),
  variants: z
    .array(variantSchema)
    .max(12, 'at most 12 variants')
    .default([])
    .refine((vs) => new Set(vs.map((v) => v.id)).size === vs.length, {
      message: 'variant ids must be unique',
    }),
});
export type Experiment = z.infer<typeof experimentSchema>;

/** Input shape [h, w, c] of a dataset: 28×28×1 images or 2-D points. */
export function inputShapeOf(id: DatasetId): number[] {
  return (IMAGE_DATASETS as readonly string[]).includes(id) ? [28, 28, 1] : [2];
}

/** Number of classes: 10 for images, 2 for the binary 2-D sets, 3 for gaussians and spiral. */
export function numClassesOf(id: DatasetId): number {
  if ((IMAGE_DATASETS as readonly string[]).includes(id)) return 10;
  return id === 'gaussians' || id === 'spiral' ? 3 : 2;
}

export function isImageDataset(id: DatasetId): boolean {
  return (IMAGE_DATASETS as readonly string[]).includes(id);
}
