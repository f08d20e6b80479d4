import { describe, expect, it } from 'vitest';
import { encodeExperimentLink } from '../experiment/link';
import { findLesson } from '../experiment/lessons';
import { DEFAULT_PRESET } from '../experiment/presets';
import {
  closeLesson,
  instructorFromLocation,
  lessonFromLocation,
  openLesson,
  useLessonStore,
} from './lesson-actions';
import { useStore } from './store';

const shared = encodeExperimentLink(DEFAULT_PRESET.experiment, {
  view: { lesson: 'qat-vs-ptq', panels: ['instructor'] },
});

describe('lesson links', () => {
  it('read ?lesson= first, then the shared link’s view.lesson', () => {
    expect(lessonFromLocation('?lesson=quant-bits', '')).toBe('quant-bits');
    expect(lessonFromLocation('?lesson=quant-bits', shared)).toBe('quant-bits');
    expect(lessonFromLocation('', shared)).toBe('qat-vs-ptq');
    expect(lessonFromLocation('?other=1', '')).toBeNull();
  });

  it('turn instructor mode on with ?instructor=1 or the instructor view panel', () => {
    expect(instructorFromLocation('?instructor=1', '')).toBe(true);
    expect(instructorFromLocation('?lesson=x&instructor=true', '')).toBe(true);
    expect(instructorFromLocation('', shared)).toBe(true);
    expect(instructorFromLocation('?instructor=0', '')).toBe(false);
    expect(instructorFromLocation('', encodeExperimentLink(DEFAULT_PRESET.experiment))).toBe(false);
  });
});

describe('openLesson', () => {
  it('loads the lesson’s experiment, keeps the backend, leaves presets, and closes on a preset', () => {
    useStore.setState((s) => ({ experiment: { ...s.experiment, backend: 'wasm' } }));
    openLesson('prune-schedule', { reload: false });
    const lesson = findLesson('prune-schedule')!;
    const state = useStore.getState();
    expect(useLessonStore.getState().lessonId).toBe('prune-schedule');
    expect(state.presetId).toBe('');
    expect(state.experiment.variants.map((v) => v.id)).toEqual(
      lesson.experiment.variants.map((v) => v.id),
    );
    expect(state.experiment.backend).toBe('wasm');
    useStore.setState({ presetId: 'moons-tiny' });
    expect(useLessonStore.getState().lessonId).toBeNull();
  });

  it('refuses an unknown lesson with a notice and changes nothing', () => {
    closeLesson();
    const before = useStore.getState().experiment;
    const notices = useStore.getState().notices.length;
    openLesson('no-such-lesson', { reload: false });
    expect(useStore.getState().experiment).toBe(before);
    expect(useStore.getState().notices.length).toBe(notices + 1);
    expect(useLessonStore.getState().lessonId).toBeNull();
  });
});
