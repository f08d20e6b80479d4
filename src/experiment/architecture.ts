import { z } from 'zod';

export const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'linear'] as const;

export const mlpSchema = z.object({
  kind: z.literal('mlp'),
  hidden: z.array(z.number().int().min(1).max(1024)).max(6).default([16, 16]),
  activation: z.enum(ACTIVATIONS).default('relu'),
});

export const convLayerSchema = z.object({
  filters: z.number().int().min(1).max(128),
  kernel: z.number().int().min(1).max(7).default(3),
});

export const cnnSchema = z.object({
  kind: z.literal('cnn'),
  /** Each conv block is conv(kernel×kernel, valid padding) → activation → maxpool 2×2. */
  convs: z
    .array(convLayerSchema)
    .min(1)
    .max(4)
    .default([{ filters: 16, kernel: 3 }]),
  dense: z.array(z.number().int().min(1).max(1024)).max(4).default([128]),
  activation: z.enum(ACTIVATIONS).default('relu'),
});

export const architectureSchema = z.discriminatedUnion('kind', [mlpSchema, cnnSchema]);
export type ArchitectureSpec = z.infer<typeof architectureSchema>;
export type MlpSpec = z.infer<typeof mlpSchema>;
export type CnnSpec = z.infer<typeof cnnSchema>;
