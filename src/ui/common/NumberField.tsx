import { useId, useState } from 'react';
import type { ZodType } from 'zod';
import './fields.css';

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

/**
 * A number input that keeps what the user typed, shows why it is invalid, and commits only
 * valid values: the experiment never holds a bad hyperparameter.
 */
export function NumberField({
  label,
  value,
  schema,
  onCommit,
  step = 'any',
  disabled,
  hint,
  testId,
}: NumberFieldProps) {
  const id = useId();
  const [text, setText] = useState(String(value));
  const [error, setError] = useState<string | null>(null);

  // Adopt a new value from outside (a preset, a link) during render, as React recommends.
  const [synced, setSynced] = useState(value);
  if (synced !== value) {
    setSynced(value);
    setText(String(value));
    setError(null);
  }

  const change = (next: string) => {
    setText(next);
    const number = next.trim() === '' ? Number.NaN : Number(next);
    if (!Number.isFinite(number)) {
      setError('Enter a number.');
      return;
    }
    const result = schema.safeParse(number);
    if (!result.success) {
      setError(result.error.issues[0]?.message ?? 'Invalid value.');
      return;
    }
    setError(null);
    if (result.data !== value) onCommit(result.data);
  };

  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="number"
        inputMode="decimal"
        step={step}
        value={text}
        disabled={disabled}
        aria-invalid={error ? true : undefined}
        aria-describedby={error || hint ? `${id}-msg` : undefined}
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
