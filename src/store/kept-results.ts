// What the page keeps of its results when the engine dies in the middle of a run.
import type { AppState } from './store';

/** The parts of the state a run replaces as it goes. */
export type RunResults = Pick<
  AppState,
  'teacher' | 'results' | 'predictions' | 'curves' | 'variantRuns'
>;

/** The results of `state` (to keep them when a run is cut short). */
export function runResultsOf(state: RunResults): RunResults {
  const { teacher, results, predictions, curves, variantRuns } = state;
  return { teacher, results, predictions, curves, variantRuns };
}

/**
 * The results to show after a run was cut short: those on screen before it, with every variant
 * the cut run finished replacing its older row (in place; new ones at the end). When the cut run
 * brought a different teacher, the older rows compared with the old one: only the new ones stay.
 * Curves and statuses of variants it did not finish are the older ones (a cut curve is no result,
 * and nothing runs any more); a variant that failed in it keeps its error.
 */
export function keptAfterCrash(before: RunResults, now: RunResults): RunResults {
  const finished = Object.keys(now.predictions);
  const finishedCurves: RunResults['curves'] = {};
  for (const id of finished) {
    const curve = now.curves[id];
    if (curve) finishedCurves[id] = curve;
  }
  const ended: RunResults['variantRuns'] = {};
  for (const [id, run] of Object.entries(now.variantRuns))
    if (run.status === 'done' || run.status === 'error') ended[id] = run;
  const sameTeacher =
    before.teacher === now.teacher ||
    (before.teacher !== null && JSON.stringify(before.teacher) === JSON.stringify(now.teacher));
  if (!sameTeacher && now.teacher !== null) {
    const teacherCurve = now.curves.teacher;
    return {
      teacher: now.teacher,
      results: now.results,
      predictions: now.predictions,
      curves: teacherCurve ? { teacher: teacherCurve, ...finishedCurves } : finishedCurves,
      variantRuns: ended,
    };
  }
  const fresh = new Map(now.results.map((r) => [r.variant, r]));
  const results = before.results.map((r) => fresh.get(r.variant) ?? r);
  const shown = new Set(results.map((r) => r.variant));
  for (const r of now.results) if (!shown.has(r.variant)) results.push(r);
  return {
    teacher: before.teacher,
    results,
    predictions: { ...before.predictions, ...now.predictions },
    curves: { ...before.curves, ...finishedCurves },
    variantRuns: { ...before.variantRuns, ...ended },
  };
}
