import { useId } from 'react';
import type { ReactNode } from 'react';
import './fields.css';

/** What a field's control needs to be labelled and described. */
export interface ControlIds {
  id: string;
  /** The message's id when there is one (for aria-describedby). */
  describedBy: string | undefined;
}

interface LabelledFieldProps {
  label: string;
  /** Shown under the control, in red and announced: replaces the hint while present. */
  error?: string | null;
  hint?: string;
  /** The control, given its id and the message's id. */
  children: (ids: ControlIds) => ReactNode;
}

/** A field of a form: label, control, and the error or hint below it. */
export function LabelledField({ label, error, hint, children }: LabelledFieldProps) {
  const id = useId();
  const message = error || hint;
  const messageId = `${id}-msg`;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children({ id, describedBy: message ? messageId : undefined })}
      {message && (
        <span
          id={messageId}
          className={error ? 'field-error' : 'field-hint'}
          role={error ? 'alert' : undefined}
        >
          {message}
        </span>
      )}
    </div>
  );
}
