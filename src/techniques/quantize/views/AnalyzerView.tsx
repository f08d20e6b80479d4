import { useEffect, useMemo } from 'react';
import { ReferenceArea, ReferenceLine } from 'recharts';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { barSeries } from '../../../ui/figure/series';
import { LayerBars } from '../../../ui/views/LayerBars';
import type { QuantAnalysis } from '../../../worker/protocol';
import { CHART_INK, colourOf } from '../../../ui/palette';
import { resetAnalyzer, runAnalyzer, useAnalyzerStore } from './analyzer-actions';

type AnalyzerLayer = QuantAnalysis['layers'][number];

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const fmt = (v: number) => v.toPrecision(3);
const db = (v: number) => (Number.isFinite(v) ? `${v.toFixed(1)} dB` : '∞');

/** Accuracy of each simulation: float, weights only, activations only, both, as shipped. */
function SimulationBars({ analysis }: { analysis: QuantAnalysis }) {
  const rows = [
    { name: 'float', value: 100 * analysis.float },
    { name: 'weights only', value: 100 * analysis.weightsOnly },
    { name: 'activations only', value: 100 * analysis.activationsOnly },
    { name: 'both', value: 100 * analysis.both },
    { name: 'as shipped', value: 100 * analysis.shipped },
  ];
  const costlier =
    analysis.weightsOnly < analysis.activationsOnly
      ? 'the weights cost more than the activations'
      : analysis.activationsOnly < analysis.weightsOnly
        ? 'the activations cost more than the weights'
        : 'weights and activations cost the same';
  return (
    <LayerBars
      testId="chart-analyzer-simulations"
      caption={`Accuracy on ${analysis.examples.toLocaleString('en-US')} validation examples with only the weights, only the activations, or both quantized (simulated in float), and of the integer model as it ships: ${costlier}.`}
      rows={rows}
      name="accuracy"
      colour={colourOf(0)}
      y={{ title: 'accuracy (%)', domain: [0, 100] }}
      format={(v) => `${v.toFixed(1)}%`}
      xTitle="what is quantized"
    />
  );
}

/** Per layer: bits, accuracy with its quantizers off, output error against float. */
function LayerTable({ analysis }: { analysis: QuantAnalysis }) {
  const best = Math.max(...analysis.layers.map((l) => l.accuracyWithout));
  return (
    <div className="table-scroll">
      <table data-testid="analyzer-layers">
        <caption>
          Each layer&apos;s weight and input quantizers switched off in turn, every other one on
          (both: {pct(analysis.both)}): the layer whose row recovers the most is where the accuracy
          goes. Output error: the layer&apos;s outputs in the quantized model against the float one,
          on {Math.min(256, analysis.examples)} examples.
        </caption>
        <thead>
          <tr>
            <th scope="col">layer</th>
            <th scope="col">w / a bits</th>
            <th scope="col">accuracy with it off</th>
            <th scope="col">Δ vs both</th>
            <th scope="col">output SQNR</th>
            <th scope="col">output MSE</th>
          </tr>
        </thead>
        <tbody>
          {analysis.layers.map((layer) => (
            <tr
              key={layer.name}
              data-testid="analyzer-layer"
              data-layer={layer.name}
              className={layer.accuracyWithout === best && best > analysis.both ? 'highlight' : ''}
            >
              <th scope="row">{layer.name}</th>
              <td>
                {layer.weightBits} / {layer.activationBits}
              </td>
              <td>{pct(layer.accuracyWithout)}</td>
              <td>{(100 * (layer.accuracyWithout - analysis.both)).toFixed(1)}</td>
              <td>{db(layer.outputSqnrDb)}</td>
              <td>{fmt(layer.outputMse)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The float inputs of one layer, binned, with the range its activation observer chose. */
function RangeChart({ layer }: { layer: AnalyzerLayer }) {
  const { edges, counts, clipMin, clipMax, clipped } = layer.input;
  const rows = useMemo(
    () => counts.map((count, i) => ({ x: (edges[i]! + edges[i + 1]!) / 2, count })),
    [edges, counts],
  );
  const lo = edges[0] ?? clipMin;
  const hi = edges[edges.length - 1] ?? clipMax;
  return (
    <Figure
      testId="chart-analyzer-range"
      caption={
        <>
          Inputs of {layer.name} in the float model (bars) and the {layer.activationBits}-bit range
          its observer chose (dashed, [{fmt(clipMin)}, {fmt(clipMax)}]): {pct(clipped)} of the
          values fall outside and are clipped. A range much wider than the bars wastes levels; one
          narrower clips.
        </>
      }
    >
      <Plot
        height={200}
        data={rows}
        barGap={0}
        grid="horizontal"
        x={{ dataKey: 'x', type: 'number', domain: [lo, hi], format: fmt, title: 'input value' }}
        y={{ keys: ['count'], title: 'values' }}
        tooltip={{ label: (v) => `x ≈ ${typeof v === 'number' ? fmt(v) : String(v)}` }}
      >
        <ReferenceArea x1={lo} x2={clipMin} fill={CHART_INK.alert} fillOpacity={0.08} />
        <ReferenceArea x1={clipMax} x2={hi} fill={CHART_INK.alert} fillOpacity={0.08} />
        <ReferenceLine x={clipMin} stroke={CHART_INK.alert} strokeDasharray="4 2" />
        <ReferenceLine x={clipMax} stroke={CHART_INK.alert} strokeDasharray="4 2" />
        {barSeries([{ dataKey: 'count', name: 'inputs', colour: colourOf(0), opacity: 0.75 }])}
      </Plot>
    </Figure>
  );
}

/**
 * The quantization analyzer of a variant: where its accuracy went (weights or activations, which
 * layer), each layer's output error, and the activation ranges on their histograms.
 */
export function AnalyzerView({
  source,
  layer,
  running,
}: {
  source: string;
  layer: string;
  running: boolean;
}) {
  const { status, analysis, error } = useAnalyzerStore();
  useEffect(() => {
    if (running) resetAnalyzer();
  }, [running]);
  const current = analysis?.source === source ? analysis : null;
  const chosen = current?.layers.find((l) => l.name === layer) ?? current?.layers[0];
  if (source === 'teacher') return null;
  return (
    <section
      className="views-analyzer"
      data-testid="views-analyzer"
      aria-label="Quantization analyzer"
    >
      <h3>Quantization analyzer</h3>
      {!current && (
        <div className="button-row">
          <button
            type="button"
            data-testid="analyzer-run"
            disabled={running || status === 'loading'}
            onClick={() => void runAnalyzer(source)}
          >
            {status === 'loading' ? 'Analyzing…' : 'Analyze where the accuracy goes'}
          </button>
        </div>
      )}
      {status === 'error' && error && (
        <p className="field-error" role="alert" data-testid="analyzer-error">
          {error}
        </p>
      )}
      {current && (
        <>
          <SimulationBars analysis={current} />
          <LayerTable analysis={current} />
          {chosen && <RangeChart layer={chosen} />}
        </>
      )}
    </section>
  );
}
