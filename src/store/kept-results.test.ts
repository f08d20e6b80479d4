import { describe, expect, it } from 'vitest';
import type { TeacherResult, VariantMeasurement } from '../worker/protocol';
import type { RunResults } from './kept-results';
import { keptAfterCrash, runResultsOf } from './kept-results';
import type { VariantRunState } from './store';

const teacher = (key: string, accuracy = 0.9) => ({ key, accuracy }) as unknown as TeacherResult;
const row = (variant: string, accuracy: number) =>
  ({ variant, accuracy }) as unknown as VariantMeasurement;
const curve = (n: number) =>
  Array.from({ length: n }, (_, step) => ({ step, loss: 1, accuracy: 0 }));
const status = (s: VariantRunState['status']): VariantRunState => ({
  status: s,
  stageIndex: 0,
  reused: [],
  fraction: 0,
  message: '',
  error: s === 'error' ? 'refused' : null,
  stageStep: null,
});

const before: RunResults = {
  teacher: teacher('k1'),
  results: [row('int8', 0.8), row('pruned', 0.7), row('lowrank', 0.6)],
  predictions: { a: new Uint8Array([1]), b: new Uint8Array([2]), c: new Uint8Array([3]) },
  curves: { teacher: curve(10), b: curve(5) },
  variantRuns: { a: status('done'), b: status('done'), c: status('done') },
};

describe('keptAfterCrash', () => {
  it('keeps everything shown before when the run was cut before any result', () => {
    const now: RunResults = {
      teacher: before.teacher,
      results: [],
      predictions: {},
      curves: { teacher: curve(3) },
      variantRuns: { a: status('queued'), b: status('queued'), c: status('queued') },
    };
    expect(keptAfterCrash(before, now)).toEqual(before);
  });

  it('replaces the rows the cut run finished, in place, and adds new ones at the end', () => {
    const now: RunResults = {
      // the same teacher as a fresh copy (it crossed the worker boundary again)
      teacher: teacher('k1'),
      results: [row('pruned', 0.75), row('new one', 0.5)],
      predictions: { b: new Uint8Array([9]), d: new Uint8Array([4]) },
      curves: { b: curve(7), c: curve(2) },
      variantRuns: {
        a: status('done'),
        b: status('done'),
        c: status('running'),
        d: status('error'),
      },
    };
    const kept = keptAfterCrash(before, now);
    expect(kept.teacher).toBe(before.teacher);
    expect(kept.results.map((r) => [r.variant, r.accuracy])).toEqual([
      ['int8', 0.8],
      ['pruned', 0.75],
      ['lowrank', 0.6],
      ['new one', 0.5],
    ]);
    expect(kept.predictions.b).toEqual(new Uint8Array([9]));
    expect(kept.predictions.c).toEqual(new Uint8Array([3]));
    // c's cut curve is dropped, b's finished one replaces the old one
    expect(kept.curves).toEqual({ teacher: curve(10), b: curve(7) });
    // c was running: its old status comes back; d failed in the cut run and says so
    expect(kept.variantRuns.c).toEqual(status('done'));
    expect(kept.variantRuns.d?.status).toBe('error');
  });

  it('shows only the cut run’s results once it brought a new teacher', () => {
    const now: RunResults = {
      teacher: teacher('k2', 0.95),
      results: [row('int8', 0.85)],
      predictions: { a: new Uint8Array([7]) },
      curves: { teacher: curve(20), a: curve(4), b: curve(1) },
      variantRuns: { a: status('done'), b: status('running'), c: status('queued') },
    };
    const kept = keptAfterCrash(before, now);
    expect(kept.teacher).toBe(now.teacher);
    expect(kept.results).toEqual(now.results);
    expect(kept.predictions).toEqual(now.predictions);
    expect(kept.curves).toEqual({ teacher: curve(20), a: curve(4) });
    expect(Object.keys(kept.variantRuns)).toEqual(['a']);
  });

  it('keeps the cut run’s first teacher when there was none before', () => {
    const empty: RunResults = {
      teacher: null,
      results: [],
      predictions: {},
      curves: {},
      variantRuns: {},
    };
    const now: RunResults = { ...empty, teacher: teacher('k1'), curves: { teacher: curve(8) } };
    expect(keptAfterCrash(empty, now)).toEqual({
      ...empty,
      teacher: now.teacher,
      curves: now.curves,
    });
    expect(keptAfterCrash(empty, empty)).toEqual(empty);
  });

  it('runResultsOf picks the parts a run replaces', () => {
    expect(runResultsOf({ ...before, extra: 1 } as RunResults)).toEqual(before);
  });
});
