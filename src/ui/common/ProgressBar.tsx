import './progress.css';
interface ProgressBarProps {
  /** 0..1 */
  fraction: number;
  label: string;
  detail?: string;
  testId?: string;
}

/** An accessible progress bar with a line of detail (rate, ETA). */
export function ProgressBar({ fraction, label, detail, testId }: ProgressBarProps) {
  const percent = Math.round(Math.min(1, Math.max(0, fraction)) * 100);
  return (
    <div className="progress" data-testid={testId}>
      <div
        className="progress-track"
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
      >
        <div className="progress-fill" style={{ width: `${percent}%` }} />
      </div>
      <div className="progress-text">
        <span>
          {label} · {percent}%
        </span>
        {detail && <span>{detail}</span>}
      </div>
    </div>
  );
}
