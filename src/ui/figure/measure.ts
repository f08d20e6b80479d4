import { CHART_FONT_FAMILY, CHART_FONT_PX } from '../palette';

let context: CanvasRenderingContext2D | null | undefined;

/** Width of `text` in the chart font at `fontPx`, CSS px: canvas measureText, no page layout. */
export function measureText(text: string, fontPx: number = CHART_FONT_PX): number {
  if (context === undefined) {
    context =
      typeof document === 'undefined' ? null : document.createElement('canvas').getContext('2d');
  }
  if (!context) return 0.6 * fontPx * text.length;
  context.font = `${fontPx}px ${CHART_FONT_FAMILY}`;
  return context.measureText(text).width;
}
