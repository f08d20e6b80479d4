// Lessons: which one is open, loading its experiment, lesson links and instructor mode.
import { create } from 'zustand';
import { decodeExperimentLink, isEmptyHash } from '../experiment/link';
import { findLesson } from '../experiment/lessons';
import { isBusy, notify, replaceExperiment } from './actions';
import { useStore } from './store';

/** The view panel id that turns instructor mode on when it travels in a link. */
export const INSTRUCTOR_PANEL = 'instructor';
/** Class on document.body in instructor mode (larger type, fewer controls). */
export const INSTRUCTOR_CLASS = 'instructor';

interface LessonState {
  /** Id of the open lesson, or null when the panel is closed. */
  lessonId: string | null;
  instructor: boolean;
}

export const useLessonStore = create<LessonState>(() => ({ lessonId: null, instructor: false }));

/**
 * Opens a lesson and loads its experiment, clearing the results of the old one.
 * `reload: false` leaves loading the data to the caller (at startup, before the engine runs).
 */
export function openLesson(id: string, { reload = true }: { reload?: boolean } = {}): void {
  const lesson = findLesson(id);
  if (!lesson) return notify('error', `There is no lesson called “${id}”.`);
  if (isBusy())
    return notify('info', 'Wait for the run to finish (or cancel it) before opening a lesson.');
  replaceExperiment(lesson.experiment, '', reload);
  useLessonStore.setState({ lessonId: id });
}

/** Shows a lesson's explanation without touching the experiment (a link brought its own). */
export function showLesson(id: string): void {
  if (findLesson(id)) useLessonStore.setState({ lessonId: id });
}

/** Closes the lesson panel; the experiment stays. */
export function closeLesson(): void {
  useLessonStore.setState({ lessonId: null });
}

/** Turns instructor mode on or off: the class on document.body does the rest (ui/lessons/lessons.css). */
export function setInstructorMode(on: boolean): void {
  useLessonStore.setState({ instructor: on });
  document.body.classList.toggle(INSTRUCTOR_CLASS, on);
}

function linkView(hash: string) {
  return isEmptyHash(hash) ? null : decodeExperimentLink(hash);
}

/** The lesson a URL asks for: `?lesson=<id>`, else the shared link's view.lesson; null if none. */
export function lessonFromLocation(
  search: string = window.location.search,
  hash: string = window.location.hash,
): string | null {
  const fromSearch = new URLSearchParams(search).get('lesson');
  if (fromSearch) return fromSearch;
  return linkView(hash)?.view.lesson ?? null;
}

/** Whether a URL asks for instructor mode: `?instructor=1` or view.panels has 'instructor'. */
export function instructorFromLocation(
  search: string = window.location.search,
  hash: string = window.location.hash,
): boolean {
  const flag = new URLSearchParams(search).get('instructor');
  if (flag === '1' || flag === 'true') return true;
  return linkView(hash)?.view.panels.includes(INSTRUCTOR_PANEL) ?? false;
}

/**
 * Startup hook (call after restoreFromLocation, before startEngine): opens the lesson the URL
 * names and applies instructor mode. A link that carries its own experiment keeps it.
 */
export function startLessonFromLocation(
  search: string = window.location.search,
  hash: string = window.location.hash,
): void {
  if (instructorFromLocation(search, hash)) setInstructorMode(true);
  const id = lessonFromLocation(search, hash);
  if (!id) return;
  if (!findLesson(id))
    return notify('error', `This link names a lesson that does not exist: “${id}”.`);
  if (linkView(hash)?.hasExperiment) showLesson(id);
  else openLesson(id, { reload: false });
}

// Choosing a preset leaves the lesson: its explanation would describe another experiment.
useStore.subscribe((state, previous) => {
  if (state.presetId !== previous.presetId && state.presetId !== '') closeLesson();
});
