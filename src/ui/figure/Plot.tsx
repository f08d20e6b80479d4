import { useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { ReactNode } from 'react';
import { ComposedChart, Legend, ScatterChart, Tooltip, XAxis, YAxis } from 'recharts';
import { CHART_FONT_PX, CHART_INK } from '../palette';
import { ChartGrid } from './ChartGrid';
import { measureText } from './measure';
import { useChartSlot, withSeriesIds } from './series-ids';
import type { AxisLayout, AxisSpec, Margin } from './plot-layout';
import { layoutPlot, tickTextOf } from './plot-layout';

export type { AxisSpec } from './plot-layout';

interface TooltipSpec {
  /** Text of a number in the tooltip (other values show as text, missing ones as '—'). */
  value?: (v: number) => string;
  /** Text of the tooltip's heading (the x value). */
  label?: (v: unknown) => string;
}

interface PlotProps {
  height: number;
  /** Rows shared by the series; series may carry their own `data` instead. */
  data?: readonly object[];
  x: AxisSpec;
  y: AxisSpec;
  /** Dashed grid lines: both ways (default) or horizontal only. */
  grid?: 'both' | 'horizontal';
  legend?: boolean;
  /** Tooltip formatting; false for none. */
  tooltip?: TooltipSpec | false;
  margin?: Partial<Margin>;
  /** 'scatter' for points only (tooltips per point); otherwise bars, lines and points mix. */
  kind?: 'composed' | 'scatter';
  barGap?: number;
  barCategoryGap?: number | string;
  /** The series (Bar, Line, Scatter) and reference marks. */
  children: ReactNode;
}

/** Width of an element in CSS px, kept up to date as it resizes. */
function useWidth() {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    setWidth(Math.floor(el.clientWidth));
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(el);
    return () => observer.disconnect();
  }, []);
  return [ref, width] as const;
}

function axisProps(spec: AxisSpec, layout: AxisLayout) {
  const fontSize = spec.fontPx ?? CHART_FONT_PX;
  return {
    dataKey: spec.dataKey,
    name: spec.name,
    type: layout.type,
    domain: layout.domain,
    ticks: layout.ticks,
    tickCount: layout.tickCount,
    interval: layout.interval,
    scale: spec.scale,
    unit: spec.unit,
    reversed: spec.reversed,
    allowDecimals: spec.integers ? false : undefined,
    allowDataOverflow: spec.allowDataOverflow,
    allowDuplicatedCategory: spec.allowDuplicatedCategory,
    tickFormatter: tickTextOf(spec),
    tick: { fontSize, fill: CHART_INK.tick },
    stroke: CHART_INK.axis,
  };
}

function titleStyle(spec: AxisSpec) {
  return { fontSize: spec.fontPx ?? CHART_FONT_PX, fill: CHART_INK.title };
}

const dash = (v: unknown) => (v === null || v === undefined ? '—' : String(v));

/**
 * A recharts chart with the project's defaults: sized to its container, ticks laid out from the
 * width so they never overlap, axis titles with units, the palette's fonts and ink, a dashed
 * grid, an optional legend on top and tooltips formatted once; series get ids from a pool of
 * chart slots (series-ids.ts), so recharts' caches keyed by series id stop growing.
 */
export function Plot(props: PlotProps) {
  const { height, data, x, y, legend = false, tooltip = {}, kind = 'composed' } = props;
  const [ref, width] = useWidth();
  const slot = useChartSlot();
  const layout = useMemo(
    () =>
      width > 0
        ? layoutPlot({
            width,
            height,
            x,
            y,
            data: data ?? [],
            legend,
            margin: props.margin,
            measure: (t) => measureText(t, CHART_FONT_PX),
          })
        : null,
    [width, height, x, y, data, legend, props.margin],
  );
  const Chart = kind === 'scatter' ? ScatterChart : ComposedChart;
  return (
    <div ref={ref} className="plot" style={{ height }}>
      {layout && (
        <Chart
          width={width}
          height={height}
          data={data as object[] | undefined}
          margin={layout.margin}
          barGap={props.barGap}
          barCategoryGap={props.barCategoryGap}
        >
          <ChartGrid
            strokeDasharray="3 3"
            stroke={CHART_INK.grid}
            vertical={props.grid !== 'horizontal'}
          />
          <XAxis
            {...axisProps(x, layout.x)}
            height={layout.x.size}
            angle={layout.x.angle}
            textAnchor={layout.x.angle ? 'end' : 'middle'}
            label={
              x.title
                ? {
                    value: x.title,
                    position: 'insideBottom' as const,
                    offset: -8,
                    style: titleStyle(x),
                  }
                : undefined
            }
          />
          <YAxis
            {...axisProps(y, layout.y)}
            width={layout.y.size}
            label={
              y.title
                ? {
                    value: y.title,
                    angle: -90,
                    position: 'insideLeft' as const,
                    offset: 4,
                    style: { ...titleStyle(y), textAnchor: 'middle' },
                  }
                : undefined
            }
          />
          {tooltip && (
            <Tooltip
              formatter={(v) =>
                typeof v === 'number' && tooltip.value ? tooltip.value(v) : dash(v)
              }
              labelFormatter={tooltip.label ? (l) => tooltip.label!(l) : undefined}
              cursor={kind === 'scatter' ? { strokeDasharray: '3 3' } : undefined}
            />
          )}
          {legend && (
            <Legend
              verticalAlign="top"
              itemSorter={null}
              wrapperStyle={{ fontSize: CHART_FONT_PX, paddingBottom: 4 }}
            />
          )}
          {withSeriesIds(props.children, slot)}
        </Chart>
      )}
    </div>
  );
}
