import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET } from '../experiment/presets';
import { MAX_STORED_CURVE_POINTS, parsePersisted, snapshotOf, thinCurve } from './persist';
import { useStore } from './store';

describe('persisted session', () => {
  it('thins curves evenly and keeps both ends', () => {
    expect(thinCurve([1, 2, 3], 5)).toEqual([1, 2, 3]);
    expect(thinCurve([0, 1, 2, 3, 4, 5, 6, 7, 8], 3)).toEqual([0, 4, 8]);
  });

  it('snapshots a running run as cancelled with capped curves, and parses it back', () => {
    const curve = Array.from({ length: 1000 }, (_, i) => ({
      step: i,
      loss: 1 / (i + 1),
      accuracy: 0.5,
    }));
    const state = {
      ...useStore.getState(),
      curves: { teacher: curve },
      run: { status: 'running' as const, steps: [], epochs: [], error: null },
    };
    const snap = snapshotOf(state);
    expect(snap.runStatus).toBe('cancelled');
    expect(snap.curves.teacher).toHaveLength(MAX_STORED_CURVE_POINTS);
    expect(snap.curves.teacher!.at(-1)!.step).toBe(999);
    const back = parsePersisted(JSON.parse(JSON.stringify(snap)));
    expect(back?.experiment).toEqual(DEFAULT_PRESET.experiment);
    expect(back?.curves.teacher).toHaveLength(MAX_STORED_CURVE_POINTS);
  });

  it('ignores damaged or foreign records instead of restoring them', () => {
    const snap = snapshotOf(useStore.getState());
    expect(parsePersisted(null)).toBeNull();
    expect(parsePersisted({ ...snap, version: 2 })).toBeNull();
    expect(parsePersisted({ ...snap, results: [{ variant: 'x' }] })).toBeNull();
    expect(parsePersisted({ ...snap, teacher: { accuracy: 1 } })).toBeNull();
    expect(parsePersisted({ ...snap, runStatus: 'running' })?.runStatus).toBe('idle');
  });
});
