import type { ZodType } from 'zod';
import { z } from 'zod';

/** One editable field of a stage's parameters, read from its zod schema. */
export type ParamField =
  | { key: string; kind: 'number'; schema: ZodType<number>; integer: boolean }
  | { key: string; kind: 'enum'; options: string[] }
  | { key: string; kind: 'boolean' };

function unwrap(schema: ZodType): ZodType {
  let s = schema;
  while (s instanceof z.ZodDefault || s instanceof z.ZodOptional) s = s.unwrap() as ZodType;
  return s;
}

/** The fields of an object schema that the generic editor knows how to show. */
export function paramFields(schema: z.ZodObject): ParamField[] {
  const out: ParamField[] = [];
  for (const [key, raw] of Object.entries(schema.shape)) {
    const field = unwrap(raw as ZodType);
    if (field instanceof z.ZodNumber) {
      out.push({ key, kind: 'number', schema: field as ZodType<number>, integer: !!field.isInt });
    } else if (field instanceof z.ZodEnum) {
      out.push({ key, kind: 'enum', options: field.options.map(String) });
    } else if (field instanceof z.ZodBoolean) {
      out.push({ key, kind: 'boolean' });
    }
  }
  return out;
}
