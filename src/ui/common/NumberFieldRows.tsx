import type { z, ZodType } from 'zod';
import { innerSchema } from '../../experiment/schema-walk';
import { NumberField } from './NumberField';

/** One number field of an object: which key, its label, step and test id. */
export interface NumberRow<T> {
  key: keyof T & string;
  label: string;
  step: number;
  testId?: string;
  /** Left out when this says no (a setting that only applies sometimes). */
  shown?: (value: T) => boolean;
}

interface NumberFieldRowsProps<T> {
  /** The object's schema: each key's own schema checks what is typed. */
  schema: z.ZodObject;
  value: T;
  rows: readonly NumberRow<T>[];
  /** Commits one valid value as a patch of the object. */
  onPatch: (patch: Partial<T>) => void;
  disabled?: boolean;
}

/** Number fields for some keys of one object (dataset size, training settings), validated per key. */
export function NumberFieldRows<T>({
  schema,
  value,
  rows,
  onPatch,
  disabled,
}: NumberFieldRowsProps<T>) {
  return rows
    .filter((row) => row.shown?.(value) ?? true)
    .map((row) => (
      <NumberField
        key={row.key}
        label={row.label}
        value={value[row.key] as number}
        schema={innerSchema(schema.shape[row.key] as ZodType) as ZodType<number>}
        step={row.step}
        disabled={disabled}
        testId={row.testId}
        onCommit={(v) => onPatch({ [row.key]: v } as Partial<T>)}
      />
    ));
}
