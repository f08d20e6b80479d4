import { useId, useState } from 'react';
import './fields.css';

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

/** Edits a list of whole numbers (layer widths) as comma-separated text. */
export function ListField({
  label,
  value,
  validate,
  onCommit,
  placeholder,
  hint,
  disabled,
  testId,
}: ListFieldProps) {
  const id = useId();
  const joined = value.join(', ');
  const [text, setText] = useState(joined);
  const [error, setError] = useState<string | null>(null);
  const [synced, setSynced] = useState(joined);
  if (synced !== joined) {
    setSynced(joined);
    setText(joined);
    setError(null);
  }

  const change = (next: string) => {
    setText(next);
    const values = parseIntegerList(next);
    if (!values) return setError('Use whole numbers separated by commas, e.g. 32, 16.');
    const problem = validate(values);
    setError(problem);
    if (!problem && values.join(',') !== value.join(',')) onCommit(values);
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="text"
        value={text}
        placeholder={placeholder}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={`${id}-msg`}
        data-testid={testId}
        onChange={(e) => change(e.target.value)}
      />
      {(error || hint) && (
        <span
          id={`${id}-msg`}
          className={error ? 'field-error' : 'field-hint'}
          role={error ? 'alert' : undefined}
        >
          {error ?? hint}
        </span>
      )}
    </div>
  );
}
