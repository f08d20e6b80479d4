// Every colour the page uses, in one place. Data colours come from PALETTE; the page's own
// colours (text, borders, states) and the charts' ink are named here too, and base.css declares
// each of them as a CSS variable with the same value (palette.test.ts keeps the two in step), so
// stylesheets say var(--muted) and components import the constant: no colour is written twice.

/** Okabe–Ito colours: distinguishable with every common colour-vision deficiency. */
export const PALETTE = [
  '#0072B2',
  '#E69F00',
  '#009E73',
  '#CC79A7',
  '#D55E00',
  '#56B4E9',
  '#F0E442',
  '#000000',
] as const;

/** Colour of class or variant i (cycles through the palette). */
export function colourOf(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]!;
}

/** The page's colours; CSS variable `--<name>` in base.css. */
export const UI_COLOURS = {
  bg: '#f5f6f8',
  card: '#ffffff',
  text: '#1d232b',
  muted: '#5b6573',
  border: '#d9dee5',
  /** Lines between table rows. */
  rule: '#edf0f3',
  accent: '#0072b2',
  /** Text on an accent or strongly coloured background. */
  'on-accent': '#ffffff',
  danger: '#b5470a',
  'error-bg': '#fdecea',
  'error-text': '#7a2610',
  'info-bg': '#e8f2fb',
  focus: '#e69f00',
  ok: '#00734f',
  chip: '#f3f6fa',
  track: '#e6eaef',
  /** A model's answer that matches the truth, and one that does not. */
  right: '#009e73',
  wrong: '#d55e00',
  shadow: 'rgba(0, 0, 0, 0.12)',
} as const;

/** The charts' ink (recharts and the live canvas charts alike); CSS variable `--chart-<name>`. */
export const CHART_INK = {
  background: '#ffffff',
  grid: '#dddddd',
  axis: '#888888',
  tick: '#555555',
  title: '#333333',
  /** Reference lines that mark a limit: max entropy, the allowed drop, break-even rank. */
  guide: '#5b6573',
  /** The teacher's 100% line and the Pareto frontier. */
  baseline: '#999999',
  /** The quantization grid's levels. */
  level: '#9aa3ad',
  /** What is cut off: the clip range, the 90% energy rank, a pruning schedule's live dot. */
  alert: '#d55e00',
  /** The pruning threshold. */
  mark: '#000000',
} as const;

/** Font of chart text (ticks, axis titles, legends): size in px, SMALL in the narrow variant cards. */
export const CHART_FONT_PX = 12;
export const CHART_SMALL_FONT_PX = 11;
export const CHART_FONT_FAMILY = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";

/** Every CSS variable base.css must declare, with its value. */
export function cssVariables(): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(UI_COLOURS)) out[`--${name}`] = value;
  for (const [name, value] of Object.entries(CHART_INK)) out[`--chart-${name}`] = value;
  return out;
}

/** [r, g, b] (0..255) of a '#rrggbb' colour. */
export function rgbOf(hex: string): [number, number, number] {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  return [parseInt(m[1]!, 16), parseInt(m[2]!, 16), parseInt(m[3]!, 16)];
}

/** 'rgba(r, g, b, alpha)' of a '#rrggbb' colour; alpha as given (a number or preformatted text). */
export function withAlpha(hex: string, alpha: number | string): string {
  const [r, g, b] = rgbOf(hex);
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}
