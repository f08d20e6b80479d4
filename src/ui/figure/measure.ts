import { CHART_FONT_FAMILY, CHART_FONT_PX } from '../palette';

/**
 * Texts one measuring canvas serves before a fresh one replaces it: the canvas keeps a shaping
 * cache entry for every distinct text it measured (new tick and value labels on every run), and
 * that cache goes only with the canvas.
 */
export const TEXTS_PER_CANVAS = 2000;

let context: CanvasRenderingContext2D | null | undefined;
let measured = 0;

/** Width of `text` in the chart font at `fontPx`, CSS px: canvas measureText, no page layout. */
export function measureText(text: string, fontPx: number = CHART_FONT_PX): number {
  if (context === undefined || (context !== null && measured >= TEXTS_PER_CANVAS)) {
    context =
      typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
    measured = 0;
  }
  if (!context) return 0.6 * fontPx * text.length;
  measured++;
  context.font = `${fontPx}px ${CHART_FONT_FAMILY}`;
  return context.measureText(text).width;
}

/** How many texts the current measuring canvas has measured (for tests). */
export function textsOnCurrentCanvas(): number {
  return measured;
}
