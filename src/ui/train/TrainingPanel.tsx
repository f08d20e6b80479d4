import { useShallow } from 'zustand/react/shallow';
import { cancelRun, pauseRun, resumeRun, trainTeacher } from '../../store/actions';
import { useStore } from '../../store/store';
import { Card } from '../common/Card';
import { formatDuration, formatPercent } from '../common/format';
import { ProgressBar } from '../common/ProgressBar';
import { ConfusionMatrix } from './ConfusionMatrix';
import { etaMs } from './smoothing';
import { TrainingCharts } from './TrainingCharts';
import '../common/notices.css';
import './training.css';

const NO_CLASSES: string[] = [];

/** What is happening now: the run's controls, progress, live curves and its evaluation. */
export function TrainingPanel() {
  const { run, teacher, ready, classNames, liveName } = useStore(
    useShallow((s) => ({
      liveName:
        s.liveSource === 'teacher'
          ? 'teacher'
          : (s.experiment.variants.find((v) => v.id === s.liveSource)?.name ?? s.liveSource),
      run: s.run,
      teacher: s.teacher,
      ready: s.backend.status === 'ready' && s.dataset.status === 'ready',
      classNames: s.dataset.info?.classNames ?? NO_CLASSES,
    })),
  );
  const last = run.steps[run.steps.length - 1];
  const active = run.status === 'running' || run.status === 'paused';
  const fraction = last ? (last.step + 1) / last.totalSteps : 0;
  const detail = last
    ? `${Math.round(last.samplesPerSec).toLocaleString('en-US')} samples/s · ETA ${formatDuration(
        etaMs(last.step + 1, last.totalSteps, last.elapsedMs),
      )}`
    : 'starting…';
  return (
    <Card
      title="Training"
      subtitle="Live curves of the running stage"
      testId="training-panel"
      actions={
        <div className="button-row">
          {!active && (
            <button
              type="button"
              className="primary"
              data-testid="train-teacher"
              disabled={!ready}
              onClick={() => void trainTeacher()}
            >
              {teacher ? 'Retrain teacher' : 'Train teacher'}
            </button>
          )}
          {run.status === 'running' && (
            <button type="button" data-testid="pause" onClick={pauseRun}>
              Pause
            </button>
          )}
          {run.status === 'paused' && (
            <button type="button" data-testid="resume" onClick={resumeRun}>
              Resume
            </button>
          )}
          {active && (
            <button type="button" className="danger" data-testid="cancel" onClick={cancelRun}>
              Cancel
            </button>
          )}
        </div>
      }
    >
      <div data-testid="run-status" data-status={run.status} className="sr-status">
        {run.status === 'idle' && !teacher && (
          <p className="muted">Press “Train teacher” (or “Run all”) to start.</p>
        )}
        {run.status === 'cancelled' && (
          <p className="muted">Cancelled. Your settings are unchanged; start again when ready.</p>
        )}
      </div>
      {active && (
        <ProgressBar
          fraction={fraction}
          label={
            run.status === 'paused'
              ? 'Paused'
              : `Training ${liveName} · epoch ${(last?.epoch ?? 0) + 1}`
          }
          detail={detail}
          testId="train-progress"
        />
      )}
      {run.error && (
        <div className="notice notice-error" role="alert" data-testid="run-error">
          {run.error}
        </div>
      )}
      {run.steps.length > 0 && <TrainingCharts steps={run.steps} epochs={run.epochs} />}
      {teacher && run.status !== 'running' && run.status !== 'paused' && (
        <>
          <p
            className="result-line"
            data-testid="teacher-accuracy"
            data-accuracy={teacher.accuracy}
          >
            Test accuracy <strong>{formatPercent(teacher.accuracy)}</strong> after {teacher.steps}{' '}
            steps in {formatDuration(teacher.elapsedMs)} on {teacher.backend} (
            {Math.round(teacher.samplesPerSec)} samples/s).
          </p>
          {classNames.length === teacher.numClasses && (
            <ConfusionMatrix confusion={teacher.confusion} classNames={classNames} />
          )}
        </>
      )}
    </Card>
  );
}
