// A line chart for live curves, drawn on a canvas in one animation frame (~1–2 ms for a few
// hundred points) instead of an SVG chart library re-rendering hundreds of elements through React:
// the page's main thread stays free while a run trains. Geometry lives in live-chart-geometry.ts.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { KeyboardEvent, PointerEvent } from 'react';
import {
  formatValue,
  guideRows,
  indexAfterKey,
  layoutChart,
  linearScale,
  longestSeries,
  nearestIndex,
} from './live-chart-geometry';
import type { ChartSpec } from './live-chart-geometry';
import { draw, measure } from './live-chart-draw';
import '../figure/figure.css';
import './live-chart.css';

export type { SeriesSpec as LiveSeries } from './live-chart-geometry';

export interface LiveChartProps extends ChartSpec {
  testId?: string;
  /** Plain-language summary of the latest values, read by screen readers. */
  ariaLabel: string;
}

/** Canvas line chart with one or two y axes, an HTML legend, and a pointer/keyboard tooltip. */
export function LiveChart(props: LiveChartProps) {
  const { series, height } = props;
  const plotRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [width, setWidth] = useState(0);
  // The guide's x value (not an index, so it stays put as points arrive); byKey: moved by the
  // keyboard, then its values are announced to screen readers.
  const [guide, setGuide] = useState<{ x: number; byKey: boolean } | null>(null);

  useEffect(() => {
    const el = plotRef.current;
    if (!el) return;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Keyed on the props object: recomputed when the parent renders, not when the guide moves.
  const layout = useMemo(
    () => (width > 0 ? layoutChart(props, width, measure) : null),
    [props, width],
  );
  useEffect(() => {
    const canvas = canvasRef.current;
    if (!canvas || !layout) return;
    const frame = requestAnimationFrame(() => draw(canvas, props, layout, width));
    return () => cancelAnimationFrame(frame);
  }, [props, layout, width]);

  const primary = longestSeries(series);
  function pick(e: PointerEvent<HTMLCanvasElement>) {
    if (!layout || !primary) return;
    const { plot } = layout;
    const toData = linearScale([plot.left, plot.left + plot.width], layout.x.domain);
    const x = toData(e.clientX - e.currentTarget.getBoundingClientRect().left);
    const p = primary.points[nearestIndex(primary.points, x)];
    setGuide(p ? { x: p.x, byKey: false } : null);
  }
  function onKeyDown(e: KeyboardEvent<HTMLCanvasElement>) {
    if (e.key === 'Escape') return setGuide(null);
    const points = primary?.points ?? [];
    const at = guide ? nearestIndex(points, guide.x) : -1;
    const p = points[indexAfterKey(e.key, at, points.length, e.shiftKey ? 10 : 1) ?? -1];
    if (!p) return;
    e.preventDefault();
    setGuide({ x: p.x, byKey: true });
  }

  const plot = layout?.plot;
  const rows = guide && layout ? guideRows(props, layout, guide.x) : [];
  const gx = guide && layout ? layout.x.scale(guide.x) : 0;
  const flip = plot ? gx > plot.left + plot.width / 2 : false;
  const xText = guide ? `${props.xLabel} ${formatValue(guide.x)}` : '';
  return (
    <div className="live-chart" data-testid={props.testId}>
      <ul className="live-chart-legend">
        {series.map((s) => (
          <li key={s.name}>
            <span
              className="live-chart-swatch"
              style={{ borderTopColor: s.colour, borderTopStyle: s.dashed ? 'dashed' : 'solid' }}
            />
            {s.name}
          </li>
        ))}
      </ul>
      <div className="live-chart-plot" ref={plotRef} style={{ height }}>
        <canvas
          ref={canvasRef}
          role="img"
          aria-label={props.ariaLabel}
          tabIndex={0}
          onPointerDown={pick}
          onPointerMove={pick}
          onPointerLeave={(e) => e.pointerType !== 'touch' && setGuide(null)}
          onPointerCancel={() => setGuide(null)}
          onKeyDown={onKeyDown}
          onBlur={() => setGuide(null)}
        />
        {guide && plot && (
          <div aria-hidden="true">
            <div className="chart-guide" style={{ left: gx, top: plot.top, height: plot.height }} />
            {rows.map((r) =>
              r.py >= plot.top - 1 && r.py <= plot.top + plot.height + 1 ? (
                <span
                  key={r.series.name}
                  className="chart-dot"
                  style={{ left: r.px, top: r.py, background: r.series.colour }}
                />
              ) : null,
            )}
            <div
              className="live-chart-tooltip"
              style={
                flip ? { right: width - gx + 8, top: plot.top } : { left: gx + 8, top: plot.top }
              }
            >
              <div className="live-chart-tooltip-x">{xText}</div>
              {rows.map((r) => (
                <div key={r.series.name} style={{ color: r.series.colour }}>
                  {r.series.name}: {r.text}
                </div>
              ))}
            </div>
          </div>
        )}
      </div>
      <div className="live-chart-sr" aria-live="polite">
        {guide?.byKey
          ? `${xText}: ${rows.map((r) => `${r.series.name} ${r.text}`).join(', ')}`
          : ''}
      </div>
    </div>
  );
}
