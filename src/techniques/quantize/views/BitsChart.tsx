import { memo, useDeferredValue, useMemo } from 'react';
import { useStore } from '../../../store/store';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { lineSeries } from '../../../ui/figure/series';
import { colourOf } from '../../../ui/palette';
import { bitsSeries } from './bits';

/** Accuracy against weight bit width for PTQ and QAT variants, on one chart. */
export function BitsChart() {
  const variants = useStore((s) => s.experiment.variants);
  // Redrawn as background work React can interrupt when a result arrives mid-run.
  const results = useDeferredValue(useStore((s) => s.results));
  const data = useMemo(() => bitsSeries(variants, results), [variants, results]);
  if (data.length < 2) return null;
  return <BitsFigure data={data} />;
}

const BitsFigure = memo(function BitsFigure({ data }: { data: ReturnType<typeof bitsSeries> }) {
  return (
    <Figure
      testId="bits-chart"
      exportName="accuracy vs bits"
      caption="Accuracy as weights get fewer bits (left to right): PTQ usually falls off a cliff near 3–4 bits; QAT, which trains with the rounding, holds on longer."
    >
      <Plot
        height={200}
        data={data}
        legend
        x={{ dataKey: 'bits', reversed: true, title: 'weight bits' }}
        y={{ keys: ['ptq', 'qat'], domain: ['auto', 'auto'], unit: '%', title: 'test accuracy' }}
        tooltip={{ value: (v) => `${v.toFixed(1)}%` }}
      >
        {lineSeries([
          { dataKey: 'ptq', name: 'PTQ', colour: colourOf(1), dots: true, connectNulls: true },
          { dataKey: 'qat', name: 'QAT', colour: colourOf(3), dots: true, connectNulls: true },
        ])}
      </Plot>
    </Figure>
  );
});
