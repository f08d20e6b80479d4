import { ParsedField } from './ParsedField';

interface ListFieldProps {
  label: string;
  value: number[];
  /** Returns an error message for the parsed list, or null when it is valid. */
  validate: (values: number[]) => string | null;
  onCommit: (values: number[]) => void;
  placeholder?: string;
  hint?: string;
  disabled?: boolean;
  testId?: string;
}

/** Parses "32, 16" into [32, 16]; null when any item is not a whole number. */
export function parseIntegerList(text: string): number[] | null {
  if (text.trim() === '') return [];
  const items = text.split(/[\s,;]+/).filter((s) => s !== '');
  const values = items.map(Number);
  return values.every((v) => Number.isInteger(v)) ? values : null;
}

const LIST_HINT = 'Use whole numbers separated by commas, e.g. 32, 16.';

/** Edits a list of whole numbers (layer widths) as comma-separated text. */
export function ListField({ validate, placeholder, ...field }: ListFieldProps) {
  return (
    <ParsedField
      {...field}
      format={(values) => values.join(', ')}
      parse={(text) => {
        const values = parseIntegerList(text);
        if (!values) return { error: LIST_HINT };
        const problem = validate(values);
        return problem ? { error: problem } : { value: values };
      }}
      input={{ type: 'text', placeholder }}
    />
  );
}
