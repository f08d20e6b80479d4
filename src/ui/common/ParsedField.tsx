import { useState } from 'react';
import type { InputHTMLAttributes } from 'react';
import { LabelledField } from './LabelledField';

/** What was typed: a value, or why it is not one. */
export type Parsed<V> = { value: V } | { error: string };

interface ParsedFieldProps<V> {
  label: string;
  value: V;
  /** The text of a value, as the input shows it; equal texts mean equal values. */
  format: (value: V) => string;
  parse: (text: string) => Parsed<V>;
  onCommit: (value: V) => void;
  hint?: string;
  disabled?: boolean;
  testId?: string;
  input: Pick<InputHTMLAttributes<HTMLInputElement>, 'type' | 'inputMode' | 'step' | 'placeholder'>;
}

/**
 * A text input that keeps what the user typed, shows why it is invalid, and commits only valid
 * values: the experiment never holds a bad setting.
 */
export function ParsedField<V>({
  label,
  value,
  format,
  parse,
  onCommit,
  hint,
  disabled,
  testId,
  input,
}: ParsedFieldProps<V>) {
  const shown = format(value);
  const [text, setText] = useState(shown);
  const [error, setError] = useState<string | null>(null);

  // Adopt a new value from outside (a preset, a link) during render, as React recommends.
  const [synced, setSynced] = useState(shown);
  if (synced !== shown) {
    setSynced(shown);
    setText(shown);
    setError(null);
  }

  const change = (next: string) => {
    setText(next);
    const parsed = parse(next);
    if ('error' in parsed) return setError(parsed.error);
    setError(null);
    if (format(parsed.value) !== shown) onCommit(parsed.value);
  };

  return (
    <LabelledField label={label} error={error} hint={hint}>
      {({ id, describedBy }) => (
        <input
          {...input}
          id={id}
          value={text}
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          data-testid={testId}
          onChange={(e) => change(e.target.value)}
        />
      )}
    </LabelledField>
  );
}
