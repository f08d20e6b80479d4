import { useEffect, useMemo, useRef } from 'react';
import {
  Bar,
  BarChart,
  Legend,
  ReferenceLine,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Staggered } from '../../../ui/common/Staggered';
import { ChartGrid } from '../../../ui/common/ChartGrid';
import type { Inspection } from '../../../worker/protocol';
import { formatPercent } from '../../../ui/common/format';
import { colourOf } from '../../../ui/palette';
import { xTitle, Y_AXIS_WIDTH, yTitle } from '../../../ui/views/axes';
import { magnitudeRows, poolMask, pruneThreshold } from '../../../ui/views/view-data';

type PruningReport = Inspection['prune'];

/** Per-layer sparsity, the chosen layer's mask and its |w| histogram with the threshold. */
export function PruneView({ report }: { report: PruningReport }) {
  const sparsity = report.layers.map((l) => ({ name: l.name, sparsity: l.sparsity * 100 }));
  const rows = useMemo(() => magnitudeRows(report.histogram), [report.histogram]);
  const threshold = pruneThreshold(report.histogram);
  const edges = report.histogram.edges;
  const lo = (edges[0] ?? 0) - ((edges[1] ?? 1) - (edges[0] ?? 0));
  const hi = edges[edges.length - 1] ?? 1;
  return (
    <div className="views-charts" data-testid="views-prune">
      <p className="muted">
        Overall sparsity {formatPercent(report.total.sparsity)} ({report.total.nonZeros} of{' '}
        {report.total.count} kernel weights kept).
      </p>
      <Staggered>
        <figure data-testid="chart-sparsity">
          <ResponsiveContainer width="100%" height={170}>
            <BarChart data={sparsity} margin={{ top: 8, right: 12, bottom: 18, left: 4 }}>
              <ChartGrid strokeDasharray="3 3" />
              <XAxis interval={0} dataKey="name" label={xTitle('layer')} />
              <YAxis
                interval={0}
                width={Y_AXIS_WIDTH}
                domain={[0, 100]}
                unit="%"
                label={yTitle('zeros')}
              />
              <Tooltip
                formatter={(v) => (typeof v === 'number' ? `${v.toFixed(1)}%` : String(v))}
              />
              <Bar
                dataKey="sparsity"
                name="sparsity"
                fill={colourOf(3)}
                isAnimationActive={false}
              />
            </BarChart>
          </ResponsiveContainer>
          <figcaption>
            Share of each layer&apos;s kernel weights that are exactly zero (biases never pruned).
          </figcaption>
        </figure>
        <MaskHeatmap mask={report.mask} layer={report.layer} />
        <figure data-testid="chart-magnitude">
          <ResponsiveContainer width="100%" height={200}>
            <BarChart
              data={rows}
              margin={{ top: 8, right: 12, bottom: 18, left: 4 }}
              barCategoryGap={1}
            >
              <ChartGrid strokeDasharray="3 3" vertical={false} />
              <XAxis
                interval={0}
                dataKey="x"
                type="number"
                domain={[lo, hi]}
                tickFormatter={(v: number) => (v < 0 ? '' : v.toPrecision(2))}
                label={xTitle('|w| (weight magnitude)')}
              />
              <YAxis interval={0} width={Y_AXIS_WIDTH} label={yTitle('weights')} />
              <Tooltip
                labelFormatter={(v) =>
                  Number(v) < 0 ? 'set to 0' : `|w| ≈ ${Number(v).toPrecision(2)}`
                }
              />
              <Legend verticalAlign="top" height={24} itemSorter={null} />
              <Bar
                dataKey="pruned"
                name="pruned (set to 0)"
                stackId="w"
                fill={colourOf(4)}
                isAnimationActive={false}
              />
              <Bar
                dataKey="kept"
                name="kept"
                stackId="w"
                fill={colourOf(0)}
                isAnimationActive={false}
              />
              {threshold && (
                <ReferenceLine
                  x={threshold}
                  stroke="#000"
                  strokeDasharray="4 2"
                  label={{ value: 'threshold', position: 'insideTopRight', fontSize: 11 }}
                />
              )}
            </BarChart>
          </ResponsiveContainer>
          <figcaption>
            {report.layer}: magnitudes of the kept weights and the count set to zero
            {threshold ? `; kept weights start near |w| ≈ ${threshold.toPrecision(2)}` : ''}.
            Magnitude pruning removes the smallest weights, so a gap opens above zero.
          </figcaption>
        </figure>
      </Staggered>
    </div>
  );
}

function MaskHeatmap({ mask, layer }: { mask: PruningReport['mask']; layer: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const pooled = useMemo(() => poolMask(mask, 128), [mask]);
  useEffect(() => {
    const ctx = canvas.current?.getContext('2d');
    if (!ctx) return;
    const image = ctx.createImageData(pooled.cols, pooled.rows);
    pooled.kept.forEach((k, i) => {
      // kept → accent blue, pruned → near white
      image.data[4 * i] = Math.round(245 - k * (245 - 0));
      image.data[4 * i + 1] = Math.round(246 - k * (246 - 114));
      image.data[4 * i + 2] = Math.round(248 - k * (248 - 178));
      image.data[4 * i + 3] = 255;
    });
    ctx.putImageData(image, 0, 0);
  }, [pooled]);
  const scaled = pooled.rows !== mask.rows || pooled.cols !== mask.cols;
  return (
    <figure data-testid="chart-mask">
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
      <figcaption>
        Mask of {layer} ({mask.rows} × {mask.cols}
        {scaled ? `, shown as ${pooled.rows} × ${pooled.cols} blocks shaded by share kept` : ''}):
        blue kept, white pruned. Whole white columns mean structured pruning removed units.
      </figcaption>
    </figure>
  );
}
