import type { ZodType } from 'zod';
import { z } from 'zod';
import { innerSchema } from '../../experiment/schema-walk';

/** One editable field of a stage's parameters, read from its zod schema. */
export type ParamField =
  | { key: string; kind: 'number'; schema: ZodType<number>; integer: boolean }
  | { key: string; kind: 'enum'; options: string[] }
  | { key: string; kind: 'boolean' };

/** The fields of an object schema that the generic editor knows how to show. */
export function paramFields(schema: z.ZodObject): ParamField[] {
  const out: ParamField[] = [];
  for (const [key, raw] of Object.entries(schema.shape)) {
    const field = innerSchema(raw as ZodType);
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
