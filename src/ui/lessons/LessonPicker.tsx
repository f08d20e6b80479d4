import { LESSONS } from '../../experiment/lessons';
import { OptionSelect } from '../common/OptionSelect';
import { isBusy } from '../../store/actions';
import { useStore } from '../../store/store';
import { openLesson, useLessonStore } from '../../store/lesson-actions';

const LESSON_OPTIONS = LESSONS.map((l) => ({ value: l.id, label: l.title, title: l.summary }));

/** The lesson select of the top bar: choosing one loads its experiment and opens its panel. */
export function LessonPicker() {
  const lessonId = useLessonStore((s) => s.lessonId);
  const busy = useStore((s) => isBusy(s));
  return (
    <label className="topbar-field">
      <span>Lesson</span>
      <OptionSelect
        testId="lesson-select"
        value={lessonId ?? ''}
        disabled={busy}
        placeholder="Choose a lesson…"
        options={LESSON_OPTIONS}
        onChange={openLesson}
      />
    </label>
  );
}
