// Drawing of LiveChart on its canvas: grid, axes, titles, lines and dots, in CSS px.
import { CHART_FONT_FAMILY, CHART_INK } from '../palette';
import { measureText } from '../figure/measure';
import { FONT_PX, TICK_PX, crisp } from './live-chart-geometry';
import type { ChartLayout, ChartSpec } from './live-chart-geometry';

const FONT = `${FONT_PX}px ${CHART_FONT_FAMILY}`;
const GRID = CHART_INK.grid;
const AXIS = CHART_INK.axis;
const TICK_TEXT = CHART_INK.tick;
const TITLE_TEXT = CHART_INK.title;

/** Width of `text` in the chart font, CSS px. */
export function measure(text: string): number {
  return measureText(text, FONT_PX);
}

/** Grid, axes, titles and lines, in CSS px on a canvas scaled by devicePixelRatio. */
export function draw(
  canvas: HTMLCanvasElement,
  spec: ChartSpec,
  layout: ChartLayout,
  cssWidth: number,
) {
  const { series, height: cssHeight } = spec;
  const dpr = window.devicePixelRatio || 1;
  const w = Math.round(cssWidth * dpr);
  const h = Math.round(cssHeight * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, cssWidth, cssHeight);
  const { plot, x, left, right } = layout;
  const bottom = plot.top + plot.height;
  const end = plot.left + plot.width;
  const hair = Math.max(1, Math.round(dpr));
  const line = (x0: number, y0: number, x1: number, y1: number) => {
    ctx.moveTo(x0, y0);
    ctx.lineTo(x1, y1);
  };

  ctx.lineWidth = hair / dpr;
  ctx.strokeStyle = GRID;
  ctx.setLineDash([3, 3]);
  ctx.beginPath();
  for (const t of left.ticks) line(plot.left, crisp(t.px, dpr, hair), end, crisp(t.px, dpr, hair));
  for (const t of x.ticks) line(crisp(t.px, dpr, hair), plot.top, crisp(t.px, dpr, hair), bottom);
  ctx.stroke();
  ctx.setLineDash([]);

  ctx.strokeStyle = AXIS;
  ctx.beginPath();
  const by = crisp(bottom, dpr, hair);
  line(plot.left, by, end, by);
  for (const t of x.ticks) line(crisp(t.px, dpr, hair), by, crisp(t.px, dpr, hair), by + TICK_PX);
  const lx = crisp(plot.left, dpr, hair);
  line(lx, plot.top, lx, bottom);
  for (const t of left.ticks)
    line(lx - TICK_PX, crisp(t.px, dpr, hair), lx, crisp(t.px, dpr, hair));
  if (right) {
    const rx = crisp(end, dpr, hair);
    line(rx, plot.top, rx, bottom);
    for (const t of right.ticks)
      line(rx, crisp(t.px, dpr, hair), rx + TICK_PX, crisp(t.px, dpr, hair));
  }
  ctx.stroke();

  ctx.font = FONT;
  ctx.fillStyle = TICK_TEXT;
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  for (const t of x.ticks) ctx.fillText(t.label, t.px, bottom + TICK_PX + 3);
  ctx.textBaseline = 'middle';
  ctx.textAlign = 'right';
  for (const t of left.ticks) ctx.fillText(t.label, plot.left - TICK_PX - 3, t.px);
  ctx.textAlign = 'left';
  for (const t of right?.ticks ?? []) ctx.fillText(t.label, end + TICK_PX + 3, t.px);

  ctx.fillStyle = TITLE_TEXT;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText(spec.xLabel, plot.left + plot.width / 2, cssHeight - 1);
  ctx.textBaseline = 'top';
  const rotated = (text: string, cx: number, angle: number) => {
    ctx.save();
    ctx.translate(cx, plot.top + plot.height / 2);
    ctx.rotate(angle);
    ctx.fillText(text, 0, -FONT_PX / 2);
    ctx.restore();
  };
  if (spec.leftLabel) rotated(spec.leftLabel, FONT_PX / 2 + 1, -Math.PI / 2);
  if (spec.rightLabel && right) rotated(spec.rightLabel, cssWidth - FONT_PX / 2 - 1, Math.PI / 2);

  // Lines may run to the plot's edge: clip a few px outside it so edge lines and dots stay whole.
  ctx.save();
  ctx.beginPath();
  ctx.rect(plot.left - 4, plot.top - 4, plot.width + 8, plot.height + 8);
  ctx.clip();
  ctx.lineWidth = 1.5;
  ctx.lineJoin = 'round';
  for (const s of series) {
    const axis = s.axis === 'right' ? right : left;
    if (!axis) continue;
    ctx.strokeStyle = s.colour;
    ctx.setLineDash(s.dashed ? [6, 4] : []);
    ctx.beginPath();
    let penDown = false;
    for (const p of s.points) {
      const ok = Number.isFinite(p.x) && Number.isFinite(p.y);
      if (ok && penDown) ctx.lineTo(x.scale(p.x), axis.scale(p.y));
      else if (ok) ctx.moveTo(x.scale(p.x), axis.scale(p.y));
      penDown = ok;
    }
    ctx.stroke();
    // Dots only while they stay apart (≥ 8 px a point); a dense series reads better as a line.
    if (!s.dots || s.points.length > plot.width / 8) continue;
    ctx.setLineDash([]);
    ctx.fillStyle = CHART_INK.background;
    ctx.lineWidth = 1;
    for (const p of s.points) {
      if (!Number.isFinite(p.y)) continue;
      ctx.beginPath();
      ctx.arc(x.scale(p.x), axis.scale(p.y), 3, 0, 2 * Math.PI);
      ctx.fill();
      ctx.stroke();
    }
    ctx.lineWidth = 1.5;
  }
  ctx.restore();
}
