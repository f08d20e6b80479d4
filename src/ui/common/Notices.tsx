import { dismissNotice, isBusy, trainTeacher } from '../../store/actions';
import { runAll } from '../../store/run-actions';
import { useStore } from '../../store/store';
import './notices.css';

/** Messages that stay until the user dismisses them (fallbacks, failures). */
export function Notices() {
  const notices = useStore((s) => s.notices);
  const backendError = useStore((s) => s.backend.error);
  // "Run again" waits for a ready engine and for the page to be free.
  const canRerun = useStore((s) => s.backend.status === 'ready' && !isBusy(s));
  const rerunTeacherOnly = useStore((s) => s.run.kind === 'teacher');
  if (notices.length === 0 && !backendError) return null;
  return (
    <div className="notices" role="status">
      {backendError && (
        <div className="notice notice-error">
          No compute backend could start: {backendError}. Try another browser, or reload the page.
        </div>
      )}
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.kind}`} data-testid="notice">
          <span>{n.text}</span>
          {n.action === 'rerun' && (
            <button
              type="button"
              className="primary"
              data-testid="notice-rerun"
              disabled={!canRerun}
              onClick={() => {
                dismissNotice(n.id);
                void (rerunTeacherOnly ? trainTeacher() : runAll());
              }}
            >
              Run again
            </button>
          )}
          <button type="button" aria-label="Dismiss" onClick={() => dismissNotice(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
