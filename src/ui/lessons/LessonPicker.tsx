import { LESSONS } from '../../experiment/lessons';
import { isBusy } from '../../store/actions';
import { useStore } from '../../store/store';
import { openLesson, useLessonStore } from '../../store/lesson-actions';

/** The lesson select of the top bar: choosing one loads its experiment and opens its panel. */
export function LessonPicker() {
  const lessonId = useLessonStore((s) => s.lessonId);
  const busy = useStore((s) => isBusy(s));
  return (
    <label className="topbar-field">
      <span>Lesson</span>
      <select
        data-testid="lesson-select"
        value={lessonId ?? ''}
        disabled={busy}
        onChange={(e) => {
          if (e.target.value) openLesson(e.target.value);
        }}
      >
        <option value="">Choose a lesson…</option>
        {LESSONS.map((l) => (
          <option key={l.id} value={l.id} title={l.summary}>
            {l.title}
          </option>
        ))}
      </select>
    </label>
  );
}
