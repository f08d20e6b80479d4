import { z } from 'zod';

/** The schema that does the checking under `.default()` and `.optional()` wrappers. */
export function innerSchema(schema: z.ZodType): z.ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as z.ZodType;
  return s;
}
