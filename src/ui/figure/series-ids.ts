// Ids for the series of the charts on screen, from a pool of chart slots handed back on unmount.
// recharts' selectors (reselect's weakMapMemoize) keep a cache entry per series id in plain Maps
// for as long as the page lives; recharts' own ids (React's useId) are new at every mount, so each
// chart drawn again left its entries for good (about 6 a run in the bench's soak). Ids reused from
// the pool keep that cache as small as the most charts ever on screen at once.
import { Children, cloneElement, isValidElement, useEffect, useId } from 'react';
import type { ReactNode } from 'react';
import { Area, Bar, Line, Scatter } from 'recharts';

const SERIES: ReadonlySet<unknown> = new Set([Area, Bar, Line, Scatter]);

/** Slot → the chart (its React id) holding it. */
const holders = new Map<number, string>();

/** The slot `owner` holds, else `preferred` when free, else the lowest free slot, now held by it. */
export function claimSlot(owner: string, preferred?: number): number {
  for (const [slot, holder] of holders) if (holder === owner) return slot;
  let slot = preferred !== undefined && !holders.has(preferred) ? preferred : 0;
  if (slot !== preferred) while (holders.has(slot)) slot++;
  holders.set(slot, owner);
  return slot;
}

/** Hands `owner`'s slot back to the pool. */
export function releaseSlot(owner: string): void {
  for (const [slot, holder] of holders) if (holder === owner) holders.delete(slot);
}

/** Slots held now (for tests). */
export function slotsInUse(): number {
  return holders.size;
}

/**
 * "chart{k}", k the lowest slot free when the chart first rendered: unique among the charts on
 * screen, and the same few values mount after mount (claimed again after StrictMode's remount;
 * a render React drops before it commits keeps its slot: one slot, not an entry per mount).
 */
export function useChartSlot(): string {
  const owner = useId();
  const slot = claimSlot(owner);
  useEffect(() => {
    claimSlot(owner, slot);
    return () => releaseSlot(owner);
  }, [owner, slot]);
  return `chart${slot}`;
}

/**
 * The chart's children with every Area / Bar / Line / Scatter that has no id given
 * `{prefix}-s{i}`, i its place among the children: unique within the chart, bounded across charts.
 */
export function withSeriesIds(children: ReactNode, prefix: string): ReactNode {
  return Children.map(children, (child, i) => {
    if (!isValidElement<{ id?: string }>(child) || !SERIES.has(child.type) || child.props.id) {
      return child;
    }
    return cloneElement(child, { id: `${prefix}-s${i}` });
  });
}
