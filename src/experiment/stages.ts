import { z } from 'zod';
import { architectureSchema } from './architecture';
import { TECHNIQUES } from '../techniques/registry';
import type { Stage } from '../techniques/registry';

export type { Stage, TechniqueId } from '../techniques/registry';

/**
 * One stage of a pipeline, `{ technique, params }`, built from the list of techniques: each
 * technique's params schema with its defaults filled in.
 */
export const stageSchema = z.discriminatedUnion(
  'technique',
  TECHNIQUES.map((t) =>
    z.object({
      technique: z.literal(t.id),
      params: (t.params as z.ZodObject).default(t.params.parse({}) as never),
    }),
  ) as unknown as [z.ZodObject, ...z.ZodObject[]],
) as unknown as z.ZodType<Stage, { technique: Stage['technique']; params?: object }>;

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
