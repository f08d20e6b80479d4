import { LabelledField } from './LabelledField';
import { OptionSelect } from './OptionSelect';
import type { SelectOption } from './OptionSelect';

interface SelectFieldProps<T extends string> {
  label: string;
  value: T;
  options: readonly SelectOption<T>[];
  onChange: (value: T) => void;
  disabled?: boolean;
  testId?: string;
}

/** A labelled select whose options are typed values. */
export function SelectField<T extends string>({ label, ...select }: SelectFieldProps<T>) {
  return (
    <LabelledField label={label}>{({ id }) => <OptionSelect id={id} {...select} />}</LabelledField>
  );
}
