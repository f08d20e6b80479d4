// Heavy charts mount one per task, so drawing a whole dashboard never blocks the page at once.
import { Children, useEffect, useState } from 'react';
import type { ReactNode } from 'react';

/** Renders its children one more per macrotask (each after `delayMs`), in order, starting with none. */
export function Staggered({ children, delayMs = 30 }: { children: ReactNode; delayMs?: number }) {
  const items = Children.toArray(children);
  const [shown, setShown] = useState(0);
  useEffect(() => {
    if (shown >= items.length) return;
    const timer = setTimeout(() => setShown((n) => n + 1), delayMs);
    return () => clearTimeout(timer);
  }, [shown, items.length, delayMs]);
  return <>{items.slice(0, shown)}</>;
}
