import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET } from '../experiment/presets';
import { checkCode } from '../experiment/link';
import type { SealedRecord } from './persist';
import {
  MAX_STORED_CURVE_POINTS,
  openRecord,
  parsePersisted,
  sealRecord,
  snapshotOf,
  thinCurve,
} from './persist';
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

describe('sealed records', () => {
  const snap = snapshotOf(useStore.getState());

  it('round-trip through storage with their check code', () => {
    const sealed = JSON.parse(JSON.stringify(sealRecord(snap))) as SealedRecord;
    expect(openRecord(sealed)).toEqual({ kind: 'ok', state: parsePersisted(snap) });
    expect(openRecord(undefined)).toEqual({ kind: 'empty' });
  });

  it('find a record cut short or changed, and say why', () => {
    const sealed = sealRecord(snap);
    const cut = { ...sealed, json: sealed.json.slice(0, sealed.json.length >> 1) };
    expect(openRecord(cut)).toEqual({ kind: 'damaged', why: 'its check code does not match' });
    const flipped = { ...sealed, json: sealed.json.replace('"version":1', '"version":7') };
    expect(openRecord(flipped).kind).toBe('damaged');
    // A consistent check code over text that is no longer JSON: still refused.
    const junk = '{"version":1,';
    expect(openRecord({ sealed: 1, check: checkCode(junk), json: junk })).toEqual({
      kind: 'damaged',
      why: 'it is not readable JSON',
    });
    expect(openRecord({ sealed: 1, check: sealed.check })).toEqual({
      kind: 'damaged',
      why: 'its check code does not match',
    });
  });

  it('still read a bare snapshot stored before sealing, and refuse a bad one', () => {
    expect(openRecord(JSON.parse(JSON.stringify(snap)))).toEqual({
      kind: 'ok',
      state: parsePersisted(snap),
    });
    expect(openRecord({ version: 1 }).kind).toBe('damaged');
  });
});
