import { useMemo } from 'react';
import { ReferenceArea, ReferenceLine } from 'recharts';
import { Staggered } from '../../../ui/common/Staggered';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import type { AxisSpec } from '../../../ui/figure/Plot';
import { barSeries, lineSeries } from '../../../ui/figure/series';
import { LayerBars } from '../../../ui/views/LayerBars';
import { sqnrRows } from './sqnr-rows';
import { AnalyzerView } from './AnalyzerView';
import type { Inspection } from '../../../worker/protocol';
import { CHART_INK, colourOf } from '../../../ui/palette';
import { codeRange, steCurve } from '../ste';
import { drawnLevels, quantHistogramRows } from '../../../ui/views/view-data';

type QuantLayer = Inspection['quant']['layers'][number];

const fmt = (v: number) => v.toPrecision(3);
const precision2 = (v: number) => v.toPrecision(2);

/** Weight histogram with the grid, SQNR per layer, and the STE of the chosen layer's grid. */
export function QuantView({
  inspection,
  layer,
  running,
}: {
  inspection: Inspection;
  layer: string;
  running: boolean;
}) {
  const { params, layers } = inspection.quant;
  const chosen = layers.find((l) => l.name === layer) ?? layers[0];
  if (!chosen) return <p className="muted">This model has no dense or conv layer to quantize.</p>;
  const grid = `${params.weightBits}-bit ${params.scheme} ${params.granularity}`;
  const { rows: sqnr, exact } = sqnrRows(layers);
  return (
    <div className="views-charts" data-testid="views-quant">
      <p className="muted">
        Weight quantizer: {grid}
        {params.powerOfTwo ? ' (power-of-two steps)' : ''}.
      </p>
      <Staggered>
        <HistogramChart layer={chosen} />
        <LayerBars
          testId="chart-sqnr"
          caption="Signal-to-quantization-noise per layer: each extra bit adds about 6 dB; a layer far below the others is where accuracy is lost."
          rows={sqnr}
          name="SQNR"
          colour={colourOf(2)}
          y={{ title: 'SQNR (dB)' }}
          format={(v) => `${fmt(v)} dB`}
        />
        {exact.length > 0 && (
          <p className="muted" data-testid="sqnr-exact">
            Exact, no rounding error (SQNR ∞): {exact.join(', ')}.
          </p>
        )}
        <SteChart layer={chosen} scheme={params.scheme} />
      </Staggered>
      <AnalyzerView source={inspection.source} layer={chosen.name} running={running} />
    </div>
  );
}

function HistogramChart({ layer }: { layer: QuantLayer }) {
  const rows = useMemo(() => quantHistogramRows(layer), [layer]);
  const levels = drawnLevels(layer.levels, 64);
  const edges = layer.histogram.edges;
  const lo = Math.min(edges[0] ?? 0, layer.clipMin);
  const hi = Math.max(edges[edges.length - 1] ?? 0, layer.clipMax);
  return (
    <Figure
      testId="chart-quant-histogram"
      caption={
        <>
          {layer.name}: float weights (bars) and the same weights after quantization (line), over{' '}
          {layer.levels ? `${layer.levels.length} grid levels` : 'a grid too fine to draw'}
          {levels.length ? ' (thin lines)' : ''}; dashed lines mark the clip range [
          {fmt(layer.clipMin)}, {fmt(layer.clipMax)}]. Look for weights piling onto few levels or
          falling outside the clip range.
        </>
      }
    >
      <Plot
        height={220}
        data={rows}
        barGap={0}
        grid="horizontal"
        legend
        x={{
          dataKey: 'x',
          type: 'number',
          domain: [lo, hi],
          format: precision2,
          title: 'weight value',
        }}
        y={{ keys: ['before', 'after'], title: 'weights' }}
        tooltip={{ label: (v) => `w ≈ ${typeof v === 'number' ? fmt(v) : String(v)}` }}
      >
        <ReferenceArea x1={lo} x2={layer.clipMin} fill={CHART_INK.alert} fillOpacity={0.08} />
        <ReferenceArea x1={layer.clipMax} x2={hi} fill={CHART_INK.alert} fillOpacity={0.08} />
        {levels.map((v) => (
          <ReferenceLine key={v} x={v} stroke={CHART_INK.level} strokeWidth={0.5} />
        ))}
        <ReferenceLine x={layer.clipMin} stroke={CHART_INK.alert} strokeDasharray="4 2" />
        <ReferenceLine x={layer.clipMax} stroke={CHART_INK.alert} strokeDasharray="4 2" />
        {barSeries([
          { dataKey: 'before', name: 'float weights', colour: colourOf(0), opacity: 0.75 },
        ])}
        {lineSeries([
          {
            dataKey: 'after',
            name: 'after quantization',
            type: 'step',
            colour: colourOf(1),
            width: 2,
          },
        ])}
      </Plot>
    </Figure>
  );
}

/** The STE's input axis: x over the sampled range. */
const INPUT_AXIS: AxisSpec = {
  dataKey: 'x',
  type: 'number',
  domain: ['dataMin', 'dataMax'],
  format: precision2,
  title: 'input x',
};

function SteChart({ layer, scheme }: { layer: QuantLayer; scheme: 'symmetric' | 'asymmetric' }) {
  const curve = useMemo(() => {
    const scale = Math.max(...layer.scales);
    if (!(scale > 0 && Number.isFinite(scale))) return null;
    const { qmin, qmax } = codeRange(layer.bits, scheme);
    const first = layer.levels?.[0];
    const zeroPoint =
      scheme === 'asymmetric' && first !== undefined ? Math.round(qmin - first / scale) : 0;
    const samples = Math.min(2000, Math.max(400, 8 * (qmax - qmin + 1)));
    return steCurve({ scale, qmin, qmax, zeroPoint }, samples);
  }, [layer, scheme]);
  if (!curve) return null;
  return (
    <Figure
      testId="chart-ste"
      caption={
        <>
          STE made visible: going forward, x is snapped to the grid (left, step s ={' '}
          {fmt(Math.max(...layer.scales))}); going back, the gradient passes unchanged inside the
          clip range and is 0 outside it (right), so clipped weights stop learning.
          {layer.bits > 5
            ? ` At ${layer.bits} bits the steps are too fine to see at this scale.`
            : ''}
        </>
      }
    >
      <div className="views-pair">
        <Plot
          height={170}
          data={curve}
          x={INPUT_AXIS}
          y={{ keys: ['forward'], format: precision2, title: 'forward x̂' }}
          tooltip={false}
        >
          {lineSeries([{ dataKey: 'forward', type: 'stepAfter', colour: colourOf(0) }])}
        </Plot>
        <Plot
          height={170}
          data={curve}
          x={INPUT_AXIS}
          y={{ domain: [0, 1.1], ticks: [0, 1], title: '∂x̂/∂x' }}
          tooltip={false}
        >
          {lineSeries([{ dataKey: 'gradient', type: 'stepAfter', colour: colourOf(4) }])}
        </Plot>
      </div>
    </Figure>
  );
}
