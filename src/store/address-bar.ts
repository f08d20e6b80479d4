// The address bar is the link: it follows the experiment (replaceState, debounced); picking a
// preset or a lesson adds a history entry (pushState), so Back returns to the previous
// experiment; Back and Forward restore what their entry holds.
import { decodeExperimentLink, encodeExperimentLink, isEmptyHash } from '../experiment/link';
import { isBusy, notify, replaceExperiment } from './actions';
import { INSTRUCTOR_PANEL, showLesson, closeLesson, useLessonStore } from './lesson-actions';
import { useStore } from './store';

/** Where this tab remembers the hash it wrote last: a reload then is not a shared link. */
const OWN_KEY = 'cp-address';
/** Typing in a field updates the address this long after the last change. */
export const ADDRESS_DELAY_MS = 300;
/** Search parameters the hash's view replaces once the address follows the page. */
const STARTUP_PARAMS = ['lesson', 'instructor'];

/** The hash of the current experiment and view; results stay in this browser (Copy link adds them). */
export function addressHash(): string {
  const { experiment, tab } = useStore.getState();
  const { lessonId, instructor } = useLessonStore.getState();
  return encodeExperimentLink(experiment, {
    view: { tab, lesson: lessonId, panels: instructor ? [INSTRUCTOR_PANEL] : [] },
  });
}

/** Whether `hash` is the address this tab wrote last (a reload of the page, not a shared link). */
export function isOwnAddress(hash: string): boolean {
  if (isEmptyHash(hash)) return false;
  try {
    return window.sessionStorage.getItem(OWN_KEY) === hash;
  } catch {
    return false;
  }
}

function remember(hash: string): void {
  try {
    window.sessionStorage.setItem(OWN_KEY, hash);
  } catch {
    // Storage refused (private mode, quota): a reload then reads the address as a shared link.
  }
}

/** The page's URL with `hash`, without the startup-only search parameters the hash now carries. */
function urlWith(hash: string): string {
  const params = new URLSearchParams(window.location.search);
  for (const name of STARTUP_PARAMS) params.delete(name);
  const search = params.toString();
  return `${window.location.pathname}${search ? `?${search}` : ''}${hash}`;
}

/** Puts the experiment of a history entry's hash on the page (Back / Forward). */
function restoreEntry(hash: string): void {
  if (isEmptyHash(hash)) return;
  const decoded = decodeExperimentLink(hash);
  if (decoded.problems.length > 0) {
    notify(
      'error',
      `This address could not be read in full; what could be read was kept. ${decoded.problems.join(' ')}`,
    );
  }
  if (!decoded.hasExperiment) return;
  replaceExperiment(decoded.experiment, '');
  useStore.setState({ tab: decoded.view.tab });
  if (decoded.view.lesson) showLesson(decoded.view.lesson);
  else closeLesson();
}

/**
 * Starts following the page in the address bar (call once the startup restore is done); returns
 * the function that stops it.
 */
export function startAddressBar(): () => void {
  let written = '';
  let push = false;
  /** True while Back / Forward puts an entry on the page: that must not add entries itself. */
  let restoring = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const write = () => {
    timer = null;
    const hash = addressHash();
    if (hash === written && !push) return;
    if (push && hash !== written) window.history.pushState(null, '', urlWith(hash));
    else window.history.replaceState(null, '', urlWith(hash));
    push = false;
    written = hash;
    remember(hash);
  };
  const schedule = (delay: number) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(write, delay);
  };
  write();
  const unsubscribe = useStore.subscribe((s, prev) => {
    if (!restoring && s.presetId !== prev.presetId && s.presetId !== '') {
      // A new entry once the preset's experiment is in (the store sets it in a second step).
      push = true;
      schedule(0);
    } else if (s.experiment !== prev.experiment || s.tab !== prev.tab) {
      schedule(ADDRESS_DELAY_MS);
    }
  });
  const unsubscribeLessons = useLessonStore.subscribe((s, prev) => {
    if (!restoring && s.lessonId !== prev.lessonId && s.lessonId !== null) {
      push = true;
      schedule(0);
    } else if (s.instructor !== prev.instructor || s.lessonId !== prev.lessonId) {
      schedule(ADDRESS_DELAY_MS);
    }
  });
  const onPopState = () => {
    const hash = window.location.hash;
    if (hash === written) return;
    if (isBusy()) {
      notify('info', 'Wait for the run to finish (or cancel it) before going back.');
      push = true;
      written = '';
      schedule(0);
      return;
    }
    written = hash;
    remember(hash);
    restoring = true;
    try {
      restoreEntry(hash);
    } finally {
      restoring = false;
    }
  };
  window.addEventListener('popstate', onPopState);
  return () => {
    unsubscribe();
    unsubscribeLessons();
    window.removeEventListener('popstate', onPopState);
    if (timer) clearTimeout(timer);
  };
}
