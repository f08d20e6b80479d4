import { useMemo } from 'react';
import { ReferenceLine } from 'recharts';
import { Staggered } from '../../../ui/common/Staggered';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import type { AxisSpec } from '../../../ui/figure/Plot';
import { lineSeries } from '../../../ui/figure/series';
import type { Inspection } from '../../../worker/protocol';
import { CHART_INK, colourOf } from '../../../ui/palette';
import { spectrumRows } from '../../../ui/views/view-data';
import { rankForEnergy } from '../factorize';

/** Singular values of a dense layer (log scale) and the cumulative energy with the 90% line. */
export function LowRankView({ spectra, layer }: { spectra: Inspection['lowrank']; layer: string }) {
  const spectrum = spectra.find((s) => s.name === layer) ?? spectra[0];
  const rows = useMemo(() => (spectrum ? spectrumRows(spectrum) : []), [spectrum]);
  if (!spectrum) return <p className="muted">This model has no dense layer to factor.</p>;
  const r90 = rankForEnergy(spectrum.singularValues, 0.9);
  const rankAxis: AxisSpec = {
    dataKey: 'rank',
    type: 'number',
    domain: [1, rows.length],
    integers: true,
    title: 'rank i',
  };
  return (
    <div className="views-charts" data-testid="views-lowrank">
      {spectrum.name !== layer && (
        <p className="muted">
          {layer} is not a dense layer; showing {spectrum.name}.
        </p>
      )}
      <Staggered>
        <Figure
          testId="chart-spectrum"
          caption={
            <>
              Singular values of {spectrum.name} ({spectrum.rows} × {spectrum.cols}): a fast drop
              means a few directions carry the layer, so a low rank keeps most of it.
            </>
          }
        >
          <Plot
            height={190}
            data={rows}
            x={rankAxis}
            y={{
              scale: 'log',
              domain: ['auto', 'auto'],
              format: (v) => v.toPrecision(2),
              title: 'σᵢ (log)',
            }}
            tooltip={{ value: (v) => v.toPrecision(3) }}
          >
            {lineSeries([
              { dataKey: 'sigma', name: 'σ', colour: colourOf(0), dots: rows.length <= 40 },
            ])}
          </Plot>
        </Figure>
        <Figure
          testId="chart-energy"
          caption={
            <>
              Share of Σσ² kept by the first i singular values: 90% needs rank {r90}; factoring
              saves parameters only up to rank {spectrum.breakEvenRank} (grey line).
            </>
          }
        >
          <Plot
            height={190}
            data={rows}
            x={rankAxis}
            y={{ domain: [0, 100], unit: '%', title: 'energy' }}
            tooltip={{ value: (v) => `${v.toFixed(1)}%` }}
          >
            <ReferenceLine y={90} stroke={CHART_INK.alert} strokeDasharray="4 2" />
            <ReferenceLine x={r90} stroke={CHART_INK.alert} strokeDasharray="4 2" />
            {spectrum.breakEvenRank >= 1 && (
              <ReferenceLine
                x={spectrum.breakEvenRank}
                stroke={CHART_INK.guide}
                strokeDasharray="2 2"
              />
            )}
            {lineSeries([{ dataKey: 'energy', name: 'cumulative energy', colour: colourOf(2) }])}
          </Plot>
        </Figure>
      </Staggered>
    </div>
  );
}
