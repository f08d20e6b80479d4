// Experiment links: restore the experiment from the URL at start, copy a link to share it.
import {
  decodeExperimentLink,
  encodeExperimentLink,
  isEmptyHash,
  REPORTED_LABEL,
} from '../experiment/link';
import type { ReportedResults } from '../experiment/link';
import { useLessonStore } from './lesson-actions';
import { notify } from './actions';
import { useStore } from './store';
import { isOwnAddress } from './address-bar';

/**
 * Reads the experiment from the URL hash, if there is one. Problems become one notice; valid
 * parts are kept and defaults fill the rest. Returns whether the link asks to run at once.
 */
export function restoreFromLocation(hash: string = window.location.hash): { autorun: boolean } {
  if (isEmptyHash(hash)) return { autorun: false };
  const decoded = decodeExperimentLink(hash);
  if (decoded.problems.length > 0) {
    notify(
      'error',
      `This link had problems; what could be read was kept. ${decoded.problems.join(' ')}`,
    );
  }
  if (!decoded.hasExperiment) return { autorun: false };
  useStore.setState({
    presetId: '',
    experiment: decoded.experiment,
    tab: decoded.view.tab,
    reported: decoded.reported,
  });
  // The address this tab wrote itself: a reload, not a shared link, so no notice.
  if (isOwnAddress(hash)) return { autorun: false };
  notify(
    'info',
    decoded.autorun
      ? 'Experiment loaded from the link; it starts running now.'
      : 'Experiment loaded from the link. Press “Run all” to reproduce it.',
  );
  return { autorun: decoded.autorun && decoded.problems.length === 0 };
}

/** The share link of the current experiment, with a summary of the results when there are any. */
export function currentLink(autorun = false): string {
  const { experiment, tab, teacher, results } = useStore.getState();
  const rows = teacher ? [teacher.measurement, ...results] : [];
  const reported: ReportedResults | undefined =
    rows.length > 0
      ? {
          by: 'sharer',
          rows: rows.map((r) => ({
            variant: r.variant,
            accuracy: r.accuracy,
            sizeBytes: r.sizeBytes,
            latencyMs: r.latencyB1MedianMs,
          })),
        }
      : undefined;
  const hash = encodeExperimentLink(experiment, {
    autorun,
    view: {
      tab,
      lesson: useLessonStore.getState().lessonId,
      panels: useLessonStore.getState().instructor ? ['instructor'] : [],
    },
    ...(reported ? { reported } : {}),
  });
  return `${window.location.origin}${window.location.pathname}${hash.startsWith('#') ? hash : `#${hash}`}`;
}

/** Copies the share link to the clipboard (and puts it in the address bar). */
export async function copyLink(): Promise<void> {
  const link = currentLink();
  window.history.replaceState(null, '', link);
  try {
    await navigator.clipboard.writeText(link);
    notify(
      'info',
      'Link copied: it reproduces this experiment (results are shown as reported by you).',
    );
  } catch {
    notify(
      'info',
      'The browser did not allow copying; the link is in the address bar — copy it from there.',
    );
  }
}

export { REPORTED_LABEL };
