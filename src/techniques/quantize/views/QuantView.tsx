import { useMemo } from 'react';
import {
  Bar,
  BarChart,
  ComposedChart,
  Legend,
  Line,
  LineChart,
  ReferenceArea,
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
import { codeRange, steCurve } from '../ste';
import { drawnLevels, quantHistogramRows } from '../../../ui/views/view-data';

type QuantLayer = Inspection['quant']['layers'][number];

const fmt = (v: unknown) => (typeof v === 'number' ? v.toPrecision(3) : String(v));

/** Weight histogram with the grid, SQNR per layer, and the STE of the chosen layer's grid. */
export function QuantView({ inspection, layer }: { inspection: Inspection; layer: string }) {
  const { params, layers } = inspection.quant;
  const chosen = layers.find((l) => l.name === layer) ?? layers[0];
  if (!chosen) return <p className="muted">This model has no dense or conv layer to quantize.</p>;
  const grid = `${params.weightBits}-bit ${params.scheme} ${params.granularity}`;
  const sqnr = layers.map((l) => ({
    name: l.name,
    sqnr: Number.isFinite(l.sqnrDb) ? l.sqnrDb : 0,
  }));
  return (
    <div className="views-charts" data-testid="views-quant">
      <p className="muted">
        Weight quantizer: {grid}
        {params.powerOfTwo ? ' (power-of-two steps)' : ''}.
      </p>
      <Staggered>
        <HistogramChart layer={chosen} />
        <figure data-testid="chart-sqnr">
          <ResponsiveContainer width="100%" height={170}>
            <BarChart data={sqnr} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
              <ChartGrid strokeDasharray="3 3" />
              <XAxis interval={0} dataKey="name" label={xTitle('layer')} />
              <YAxis interval={0} width={Y_AXIS_WIDTH} label={yTitle('SQNR (dB)')} />
              <Tooltip formatter={(v) => `${fmt(v)} dB`} />
              <Bar dataKey="sqnr" name="SQNR" fill={colourOf(2)} isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
          <figcaption>
            Signal-to-quantization-noise per layer: each extra bit adds about 6 dB; a layer far
            below the others is where accuracy is lost.
          </figcaption>
        </figure>
        <SteChart layer={chosen} scheme={params.scheme} />
      </Staggered>
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
    <figure data-testid="chart-quant-histogram">
      <ResponsiveContainer width="100%" height={220}>
        <ComposedChart data={rows} margin={{ top: 8, right: 12, bottom: 18, left: 4 }} barGap={0}>
          <ChartGrid strokeDasharray="3 3" vertical={false} />
          <XAxis
            interval={0}
            dataKey="x"
            type="number"
            domain={[lo, hi]}
            tickFormatter={(v: number) => v.toPrecision(2)}
            label={xTitle('weight value')}
          />
          <YAxis interval={0} width={Y_AXIS_WIDTH} label={yTitle('weights')} />
          <Tooltip labelFormatter={(v) => `w ≈ ${fmt(v)}`} />
          <Legend verticalAlign="top" height={24} itemSorter={null} />
          <ReferenceArea x1={lo} x2={layer.clipMin} fill="#d55e00" fillOpacity={0.08} />
          <ReferenceArea x1={layer.clipMax} x2={hi} fill="#d55e00" fillOpacity={0.08} />
          {levels.map((v) => (
            <ReferenceLine key={v} x={v} stroke="#9aa3ad" strokeWidth={0.5} />
          ))}
          <ReferenceLine x={layer.clipMin} stroke="#d55e00" strokeDasharray="4 2" />
          <ReferenceLine x={layer.clipMax} stroke="#d55e00" strokeDasharray="4 2" />
          <Bar
            dataKey="before"
            name="float weights"
            fill={colourOf(0)}
            fillOpacity={0.75}
            isAnimationActive={false}
          />
          <Line
            dataKey="after"
            name="after quantization"
            type="step"
            stroke={colourOf(1)}
            strokeWidth={2}
            dot={false}
            isAnimationActive={false}
          />
        </ComposedChart>
      </ResponsiveContainer>
      <figcaption>
        {layer.name}: float weights (bars) and the same weights after quantization (line), over{' '}
        {layer.levels ? `${layer.levels.length} grid levels` : 'a grid too fine to draw'}
        {levels.length ? ' (thin lines)' : ''}; dashed lines mark the clip range [
        {fmt(layer.clipMin)}, {fmt(layer.clipMax)}]. Look for weights piling onto few levels or
        falling outside the clip range.
      </figcaption>
    </figure>
  );
}

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
    <figure data-testid="chart-ste">
      <div className="views-pair">
        <ResponsiveContainer width="100%" height={170}>
          <LineChart data={curve} margin={{ top: 8, right: 8, bottom: 18, left: 4 }}>
            <ChartGrid strokeDasharray="3 3" />
            <XAxis
              interval={0}
              dataKey="x"
              type="number"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(v: number) => v.toPrecision(2)}
              label={xTitle('input x')}
            />
            <YAxis
              interval={0}
              width={Y_AXIS_WIDTH}
              tickFormatter={(v: number) => v.toPrecision(2)}
              label={yTitle('forward x̂')}
            />
            <Line
              dataKey="forward"
              type="stepAfter"
              stroke={colourOf(0)}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
        <ResponsiveContainer width="100%" height={170}>
          <LineChart data={curve} margin={{ top: 8, right: 8, bottom: 18, left: 4 }}>
            <ChartGrid strokeDasharray="3 3" />
            <XAxis
              interval={0}
              dataKey="x"
              type="number"
              domain={['dataMin', 'dataMax']}
              tickFormatter={(v: number) => v.toPrecision(2)}
              label={xTitle('input x')}
            />
            <YAxis
              interval={0}
              width={Y_AXIS_WIDTH}
              domain={[0, 1.1]}
              ticks={[0, 1]}
              label={yTitle('∂x̂/∂x')}
            />
            <Line
              dataKey="gradient"
              type="stepAfter"
              stroke={colourOf(4)}
              dot={false}
              isAnimationActive={false}
            />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <figcaption>
        STE made visible: going forward, x is snapped to the grid (left, step s ={' '}
        {fmt(Math.max(...layer.scales))}); going back, the gradient passes unchanged inside the clip
        range and is 0 outside it (right), so clipped weights stop learning.
        {layer.bits > 5
          ? ` At ${layer.bits} bits the steps are too fine to see at this scale.`
          : ''}
      </figcaption>
    </figure>
  );
}
