import { z } from 'zod';

/** Ids of views, lessons and variants in a link: 1–32 lowercase letters, digits or dashes. */
const viewId = z
  .string()
  .regex(/^[a-z0-9-]{1,32}$/, 'must be 1–32 lowercase letters, digits or dashes');

/** What the sharer had open: the phone tab, the live chart's source, a lesson, technique views. */
export const linkViewSchema = z.object({
  tab: z.enum(['experiment', 'live', 'results']).default('experiment'),
  /** 'teacher' or a variant id. */
  liveSource: viewId.default('teacher'),
  /** Id of the open lesson, if any. */
  lesson: viewId.nullable().default(null),
  /** Ids of the open technique views, e.g. 'quant-grid', 'mask-heatmap', 'spectrum'. */
  panels: z.array(viewId).max(8).default([]),
});
export type LinkView = z.infer<typeof linkViewSchema>;

/** The view when a link says nothing about it. */
export const DEFAULT_VIEW: LinkView = linkViewSchema.parse({});
