import { useEffect, useMemo, useRef } from 'react';
import { ReferenceLine } from 'recharts';
import { Staggered } from '../../../ui/common/Staggered';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { barSeries } from '../../../ui/figure/series';
import { LayerBars } from '../../../ui/views/LayerBars';
import type { Inspection } from '../../../worker/protocol';
import { formatPercent } from '../../../ui/common/format';
import { CHART_INK, colourOf, rgbOf, UI_COLOURS } from '../../../ui/palette';
import { magnitudeRows, poolMask, pruneThreshold } from '../../../ui/views/view-data';
import type { VariantMeasurement } from '../../../experiment/measurement';
import { PruningLab } from './PruningLab';

type PruningReport = Inspection['prune'];

/** Per-layer sparsity, the chosen layer's mask and its |w| histogram with the threshold. */
export function PruneView({
  report,
  measurements,
}: {
  report: PruningReport;
  /** The teacher's and this variant's rows of the comparison table, for the lab table. */
  measurements?: { teacher: VariantMeasurement; variant: VariantMeasurement } | null;
}) {
  const sparsity = report.layers.map((l) => ({ name: l.name, value: l.sparsity * 100 }));
  const rows = useMemo(() => magnitudeRows(report.histogram), [report.histogram]);
  const threshold = pruneThreshold(report.histogram);
  const edges = report.histogram.edges;
  const lo = (edges[0] ?? 0) - ((edges[1] ?? 1) - (edges[0] ?? 0));
  const hi = edges[edges.length - 1] ?? 1;
  const tallest = Math.max(0, ...rows.map((r) => r.pruned + r.kept));
  return (
    <div className="views-charts" data-testid="views-prune">
      <p className="muted">
        Overall sparsity {formatPercent(report.total.sparsity)} ({report.total.nonZeros} of{' '}
        {report.total.count} kernel weights kept).
      </p>
      {measurements &&
        (report.total.sparsity > 0 ||
          measurements.variant.params < measurements.teacher.params) && (
          <PruningLab report={report} {...measurements} />
        )}
      <Staggered>
        <LayerBars
          testId="chart-sparsity"
          caption="Share of each layer's kernel weights that are exactly zero (biases never pruned)."
          rows={sparsity}
          name="sparsity"
          colour={colourOf(3)}
          y={{ domain: [0, 100], unit: '%', title: 'zeros' }}
          format={(v) => `${v.toFixed(1)}%`}
        />
        <MaskHeatmap mask={report.mask} layer={report.layer} />
        <Figure
          testId="chart-magnitude"
          caption={
            <>
              {report.layer}: magnitudes of the kept weights and the count set to zero
              {threshold ? `; kept weights start near |w| ≈ ${threshold.toPrecision(2)}` : ''}.
              Magnitude pruning removes the smallest weights, so a gap opens above zero.
            </>
          }
        >
          <Plot
            height={200}
            data={rows}
            barCategoryGap={1}
            grid="horizontal"
            legend
            x={{
              dataKey: 'x',
              type: 'number',
              domain: [lo, hi],
              // The bar left of 0 counts the weights set to zero: no |w| tick there.
              format: (v) => (v < 0 ? '' : v.toPrecision(2)),
              title: '|w| (weight magnitude)',
            }}
            y={{ extent: { min: 0, max: tallest }, title: 'weights' }}
            tooltip={{
              label: (v) => (Number(v) < 0 ? 'set to 0' : `|w| ≈ ${Number(v).toPrecision(2)}`),
            }}
          >
            {barSeries([
              { dataKey: 'pruned', name: 'pruned (set to 0)', stackId: 'w', colour: colourOf(4) },
              { dataKey: 'kept', name: 'kept', stackId: 'w', colour: colourOf(0) },
            ])}
            {threshold && (
              <ReferenceLine
                x={threshold}
                stroke={CHART_INK.mark}
                strokeDasharray="4 2"
                label={{ value: 'threshold', position: 'insideTopRight', fontSize: 11 }}
              />
            )}
          </Plot>
        </Figure>
      </Staggered>
    </div>
  );
}

/** Colours of the mask: a pruned weight in the page's background, a kept one in accent blue. */
const PRUNED_RGB = rgbOf(UI_COLOURS.bg);
const KEPT_RGB = rgbOf(UI_COLOURS.accent);

function MaskHeatmap({ mask, layer }: { mask: PruningReport['mask']; layer: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pooled = useMemo(() => poolMask(mask, 128), [mask]);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(pooled.cols, pooled.rows);
    pooled.kept.forEach((k, i) => {
      for (let c = 0; c < 3; c++) {
        image.data[4 * i + c] = Math.round(PRUNED_RGB[c]! + k * (KEPT_RGB[c]! - PRUNED_RGB[c]!));
      }
      image.data[4 * i + 3] = 255;
    });
    ctx.putImageData(image, 0, 0);
  }, [pooled]);
  const scaled = pooled.rows !== mask.rows || pooled.cols !== mask.cols;
  return (
    <Figure
      testId="chart-mask"
      caption={
        <>
          Mask of {layer} ({mask.rows} × {mask.cols}
          {scaled ? `, shown as ${pooled.rows} × ${pooled.cols} blocks shaded by share kept` : ''}):
          blue kept, white pruned. Whole white columns mean structured pruning removed units.
        </>
      }
    >
      <div className="views-mask">
        <span className="views-axis-y">inputs ({mask.rows})</span>
        <canvas
          ref={canvas}
          width={pooled.cols}
          height={pooled.rows}
          role="img"
          aria-label={`Pruning mask of ${layer}: ${mask.rows} by ${mask.cols}`}
          style={{ aspectRatio: `${pooled.cols} / ${pooled.rows}` }}
        />
        <span className="views-axis-x">output units ({mask.cols})</span>
      </div>
    </Figure>
  );
}
