// Live charts redraw at a calm pace: a value that changes ten times a second is shown at most
// once per interval, and the latest value always arrives within one interval.
import { useEffect, useRef, useState } from 'react';

/** Delay before showing a new value: max(0, lastShownAt + interval − now), in ms. */
export function throttleDelay(lastShownAt: number, now: number, intervalMs: number): number {
  return Math.max(0, lastShownAt + intervalMs - now);
}

/** `value`, changing at most once per `intervalMs` ms (the latest value wins, never dropped). */
export function useThrottled<T>(value: T, intervalMs: number): T {
  const [shown, setShown] = useState(value);
  const lastShownAt = useRef(-Infinity);
  useEffect(() => {
    if (Object.is(value, shown)) return;
    const delay = throttleDelay(lastShownAt.current, performance.now(), intervalMs);
    const timer = setTimeout(() => {
      lastShownAt.current = performance.now();
      setShown(value);
    }, delay);
    return () => clearTimeout(timer);
  }, [value, shown, intervalMs]);
  return shown;
}
