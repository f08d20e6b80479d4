import type { ZodType } from 'zod';
import type { Parsed } from './ParsedField';
import { ParsedField } from './ParsedField';

interface NumberFieldProps {
  label: string;
  value: number;
  /** Validates the parsed number; only a valid value is committed. */
  schema: ZodType<number>;
  onCommit: (value: number) => void;
  step?: number | 'any';
  disabled?: boolean;
  hint?: string;
  testId?: string;
}

/** The number typed, checked by `schema` (its first issue is the message). */
function parseNumber(text: string, schema: ZodType<number>): Parsed<number> {
  const number = text.trim() === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(number)) return { error: 'Enter a number.' };
  const result = schema.safeParse(number);
  if (!result.success) return { error: result.error.issues[0]?.message ?? 'Invalid value.' };
  return { value: result.data };
}

/** A number input that commits only values its schema accepts. */
export function NumberField({ schema, step = 'any', ...field }: NumberFieldProps) {
  return (
    <ParsedField
      {...field}
      format={String}
      parse={(text) => parseNumber(text, schema)}
      input={{ type: 'number', inputMode: 'decimal', step }}
    />
  );
}
