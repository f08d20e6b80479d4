import { createElement, isValidElement } from 'react';
import type { ReactElement } from 'react';
import { Bar, Line, ReferenceLine } from 'recharts';
import { describe, expect, it } from 'vitest';
import { claimSlot, releaseSlot, slotsInUse, withSeriesIds } from './series-ids';

describe('chart slots', () => {
  it('hand out the lowest free slot, keep it per chart, and reuse it after release', () => {
    const before = slotsInUse();
    const a = claimSlot('a');
    const b = claimSlot('b');
    expect(b).not.toBe(a);
    expect(claimSlot('a')).toBe(a);
    releaseSlot('a');
    // A chart mounted after another went away takes its slot: the ids stay a small, fixed set.
    expect(claimSlot('c')).toBe(a);
    // StrictMode's remount asks for its slot back; a taken one gives the lowest free instead.
    releaseSlot('b');
    expect(claimSlot('b', b)).toBe(b);
    releaseSlot('b');
    releaseSlot('c');
    expect(slotsInUse()).toBe(before);
  });

  it('over a thousand mounts and unmounts, no more slots than charts at once', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      seen.add(claimSlot(`x${i}`));
      seen.add(claimSlot(`y${i}`));
      releaseSlot(`x${i}`);
      releaseSlot(`y${i}`);
    }
    expect(seen.size).toBe(2);
  });
});

describe('withSeriesIds', () => {
  it('gives series without an id "{prefix}-s{i}" and leaves other children alone', () => {
    const children = [
      createElement(ReferenceLine, { key: 'r', y: 1 }),
      [
        createElement(Bar, { key: 'acc', dataKey: 'acc' }),
        createElement(Bar, { key: 'size', dataKey: 'size' }),
      ],
      createElement(Line, { key: 'l', dataKey: 'loss', id: 'mine' }),
    ];
    const out = withSeriesIds(children, 'chart3') as ReactElement<{ id?: string }>[];
    const ids = out.map((c) => (isValidElement<{ id?: string }>(c) ? c.props.id : undefined));
    expect(ids).toEqual([undefined, 'chart3-s1', 'chart3-s2', 'mine']);
  });
});
