// recharts' grid, one render late: on a chart's first render the axes have not registered yet,
// and the grid then lays out ticks of a default axis by measuring every label in the DOM (a
// forced layout per label, the costliest part of mounting a chart on a slow laptop).
import { useEffect, useState } from 'react';
import type { ComponentProps } from 'react';
import { CartesianGrid } from 'recharts';

/** CartesianGrid, rendered from the second render on (same props). */
export function ChartGrid(props: ComponentProps<typeof CartesianGrid>) {
  const [axesReady, setAxesReady] = useState(false);
  // One deliberate second render: by then the axes have registered their settings.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useEffect(() => setAxesReady(true), []);
  return axesReady ? <CartesianGrid {...props} /> : null;
}
