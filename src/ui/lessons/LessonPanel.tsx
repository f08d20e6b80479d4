import katex from 'katex';
import 'katex/dist/katex.min.css';
import { useMemo } from 'react';
import { findLesson } from '../../experiment/lessons';
import { closeLesson, setInstructorMode, useLessonStore } from '../../store/lesson-actions';
import './lessons.css';

/** One formula, rendered by KaTeX from our own static lesson strings (never link content). */
function Formula({ label, tex }: { label: string; tex: string }) {
  const html = useMemo(
    () => katex.renderToString(tex, { throwOnError: false, displayMode: true }),
    [tex],
  );
  return (
    <div className="lesson-formula">
      <span className="lesson-formula-label">{label}</span>
      <span
        className="lesson-formula-math"
        data-testid="lesson-formula"
        dangerouslySetInnerHTML={{ __html: html }}
      />
    </div>
  );
}

/** The open lesson: its explanation, formulas and what to try; nothing when none is open. */
export function LessonPanel() {
  const lessonId = useLessonStore((s) => s.lessonId);
  const instructor = useLessonStore((s) => s.instructor);
  const lesson = lessonId ? findLesson(lessonId) : undefined;
  if (!lesson) return null;
  return (
    <aside
      className="card lesson-panel"
      data-testid="lesson-panel"
      data-lesson={lesson.id}
      aria-label={`Lesson: ${lesson.title}`}
    >
      <header className="card-header">
        <div>
          <p className="lesson-kicker">Lesson</p>
          <h2 data-testid="lesson-title">{lesson.title}</h2>
          <p className="card-subtitle">{lesson.summary}</p>
        </div>
        <div className="card-actions">
          <label className="lesson-instructor" title="Larger type for a projector, fewer controls">
            <input
              type="checkbox"
              data-testid="instructor-toggle"
              checked={instructor}
              onChange={(e) => setInstructorMode(e.target.checked)}
            />
            Instructor mode
          </label>
          <button
            type="button"
            data-testid="lesson-close"
            aria-label="Close the lesson"
            onClick={closeLesson}
          >
            Close
          </button>
        </div>
      </header>
      <div className="lesson-body">
        {lesson.paragraphs.map((p) => (
          <p key={p}>{p}</p>
        ))}
      </div>
      <h3>Formulas</h3>
      <div className="lesson-formulas">
        {lesson.formulas.map((f) => (
          <Formula key={f.label} label={f.label} tex={f.tex} />
        ))}
      </div>
      <h3>What to try</h3>
      <ol className="lesson-try" data-testid="lesson-try">
        {lesson.tryThis.map((t) => (
          <li key={t}>{t}</li>
        ))}
      </ol>
    </aside>
  );
}
