import type { TeacherScanState } from '../../store/teacher-scan';
import { ProgressBar } from './ProgressBar';

interface ScanControlsProps {
  /** What the scan is, e.g. "sensitivity scan", for its button and progress bar. */
  what: string;
  /** What it does to the teacher's layers, e.g. "prunes": "Train the teacher first: the scan prunes its layers." */
  verb: string;
  /** Prefix of the test ids: `${testId}-run`, `-cancel`, `-progress`. */
  testId: string;
  state: TeacherScanState<unknown>;
  /** Whether the scan's table belongs to the teacher trained now. */
  current: boolean;
  hasTeacher: boolean;
  busy: boolean;
  onRun: () => void;
  onCancel: () => void;
}

/** The run / cancel buttons, progress, and status lines of a scan of the teacher. */
export function ScanControls({
  what,
  verb,
  testId,
  state,
  current,
  hasTeacher,
  busy,
  onRun,
  onCancel,
}: ScanControlsProps) {
  const { status, fraction, message, error, table } = state;
  const running = status === 'running';
  const title = what.charAt(0).toUpperCase() + what.slice(1);
  return (
    <>
      <div className="button-row">
        <button
          type="button"
          className="primary"
          data-testid={`${testId}-run`}
          disabled={!hasTeacher || busy || running}
          onClick={onRun}
        >
          Run {what}
        </button>
        {running && (
          <button
            type="button"
            className="danger"
            data-testid={`${testId}-cancel`}
            onClick={onCancel}
          >
            Cancel
          </button>
        )}
      </div>
      {!hasTeacher && <p className="muted">Train the teacher first: the scan {verb} its layers.</p>}
      {running && (
        <ProgressBar
          fraction={fraction}
          label={title}
          detail={message}
          testId={`${testId}-progress`}
        />
      )}
      {status === 'cancelled' && <p className="muted">Scan cancelled.</p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {table && !current && !running && (
        <p className="muted">The teacher changed since the last scan: run it again.</p>
      )}
    </>
  );
}
