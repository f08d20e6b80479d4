import type { ReactNode } from 'react';
import { Figure } from '../figure/Figure';
import { Plot } from '../figure/Plot';
import type { AxisSpec } from '../figure/Plot';
import { barSeries } from '../figure/series';

interface LayerBarsProps {
  testId: string;
  caption: ReactNode;
  /** One bar per layer, in model order (null: no bar, e.g. an exact match). */
  rows: readonly { name: string; value: number | null }[];
  /** What a bar measures (legend and tooltip). */
  name: string;
  colour: string;
  /** The value axis: its title with the unit, and a fixed domain if any. */
  y: Pick<AxisSpec, 'title' | 'unit' | 'domain'>;
  /** Tooltip text of a value. */
  format: (v: number) => string;
  /** Title of the category axis (default 'layer'). */
  xTitle?: string;
}

/** One number per layer as bars: SQNR of each quantized layer, sparsity of each pruned one. */
export function LayerBars({
  testId,
  caption,
  rows,
  name,
  colour,
  y,
  format,
  xTitle = 'layer',
}: LayerBarsProps) {
  return (
    <Figure testId={testId} caption={caption}>
      <Plot
        height={170}
        data={rows}
        x={{ dataKey: 'name', title: xTitle }}
        y={{ keys: ['value'], ...y }}
        tooltip={{ value: format }}
      >
        {barSeries([{ dataKey: 'value', name, colour }])}
      </Plot>
    </Figure>
  );
}
