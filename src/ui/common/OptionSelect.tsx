import type { SelectHTMLAttributes } from 'react';

/** One choice of a select: its value, its text and an optional hover text. */
export interface SelectOption<T extends string = string> {
  value: T;
  label: string;
  title?: string;
}

type Passed = Omit<SelectHTMLAttributes<HTMLSelectElement>, 'value' | 'onChange' | 'children'>;

interface OptionSelectProps<T extends string> extends Passed {
  value: T | '';
  options: readonly SelectOption<T>[];
  /** A first option with the value '' ("Choose a lesson…", "+ stage"); choosing it does nothing. */
  placeholder?: string;
  onChange: (value: T) => void;
  testId?: string;
}

/** A select over typed options, with an optional placeholder that is never reported as a choice. */
export function OptionSelect<T extends string>({
  value,
  options,
  placeholder,
  onChange,
  testId,
  ...rest
}: OptionSelectProps<T>) {
  return (
    <select
      {...rest}
      value={value}
      data-testid={testId}
      onChange={(e) => {
        if (e.target.value !== '' || placeholder === undefined) onChange(e.target.value as T);
      }}
    >
      {placeholder !== undefined && <option value="">{placeholder}</option>}
      {options.map((o) => (
        <option key={o.value} value={o.value} title={o.title}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
