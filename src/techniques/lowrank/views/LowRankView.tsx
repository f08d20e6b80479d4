import { useMemo } from 'react';
import {
  Line,
  LineChart,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Staggered } from '../../../ui/common/Staggered';
import { ChartGrid } from '../../../ui/common/ChartGrid';
import type { Inspection } from '../../../worker/protocol';
import { colourOf } from '../../../ui/palette';
import { xTitle, Y_AXIS_WIDTH, yTitle } from '../../../ui/views/axes';
import { spectrumRows } from '../../../ui/views/view-data';
import { rankForEnergy } from '../factorize';

/** Singular values of a dense layer (log scale) and the cumulative energy with the 90% line. */
export function LowRankView({ spectra, layer }: { spectra: Inspection['lowrank']; layer: string }) {
  const spectrum = spectra.find((s) => s.name === layer) ?? spectra[0];
  const rows = useMemo(() => (spectrum ? spectrumRows(spectrum) : []), [spectrum]);
  if (!spectrum) return <p className="muted">This model has no dense layer to factor.</p>;
  const r90 = rankForEnergy(spectrum.singularValues, 0.9);
  const rankAxis = {
    dataKey: 'rank',
    type: 'number' as const,
    domain: [1, rows.length] as [number, number],
    allowDecimals: false,
    label: xTitle('rank i'),
  };
  return (
    <div className="views-charts" data-testid="views-lowrank">
      {spectrum.name !== layer && (
        <p className="muted">
          {layer} is not a dense layer; showing {spectrum.name}.
        </p>
      )}
      <Staggered>
        <figure data-testid="chart-spectrum">
          <ResponsiveContainer width="100%" height={190}>
            <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
              <ChartGrid strokeDasharray="3 3" />
              <XAxis interval={0} {...rankAxis} />
              <YAxis
                interval={0}
                width={Y_AXIS_WIDTH}
                scale="log"
                domain={['auto', 'auto']}
                tickFormatter={(v: number) => v.toPrecision(2)}
                label={yTitle('σᵢ (log)')}
              />
              <Tooltip formatter={(v) => (typeof v === 'number' ? v.toPrecision(3) : String(v))} />
              <Line
                dataKey="sigma"
                name="σ"
                stroke={colourOf(0)}
                dot={rows.length <= 40}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
          <figcaption>
            Singular values of {spectrum.name} ({spectrum.rows} × {spectrum.cols}): a fast drop
            means a few directions carry the layer, so a low rank keeps most of it.
          </figcaption>
        </figure>
        <figure data-testid="chart-energy">
          <ResponsiveContainer width="100%" height={190}>
            <LineChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
              <ChartGrid strokeDasharray="3 3" />
              <XAxis interval={0} {...rankAxis} />
              <YAxis
                interval={0}
                width={Y_AXIS_WIDTH}
                domain={[0, 100]}
                unit="%"
                label={yTitle('energy')}
              />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))}
              />
              <ReferenceLine y={90} stroke="#d55e00" strokeDasharray="4 2" />
              <ReferenceLine x={r90} stroke="#d55e00" strokeDasharray="4 2" />
              {spectrum.breakEvenRank >= 1 && (
                <ReferenceLine x={spectrum.breakEvenRank} stroke="#5b6573" strokeDasharray="2 2" />
              )}
              <Line
                dataKey="energy"
                name="cumulative energy"
                stroke={colourOf(2)}
                dot={false}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
          <figcaption>
            Share of Σσ² kept by the first i singular values: 90% needs rank {r90}; factoring saves
            parameters only up to rank {spectrum.breakEvenRank} (grey line).
          </figcaption>
        </figure>
      </Staggered>
    </div>
  );
}
