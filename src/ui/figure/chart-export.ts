// Exporting a chart as a file: the recharts <svg> serialized with its computed styles inlined
// (so it looks the same outside the page), or rasterized to PNG at 2× on a white background.
import { downloadBlob } from '../common/download';
import { CHART_INK } from '../palette';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Presentation properties copied from computed style onto each exported element. */
const STYLE_PROPERTIES = [
  'fill',
  'fill-opacity',
  'stroke',
  'stroke-width',
  'stroke-dasharray',
  'stroke-opacity',
  'opacity',
  'font-family',
  'font-size',
  'font-weight',
  'text-anchor',
  'dominant-baseline',
  'visibility',
] as const;

/** The chart's main <svg>: the one recharts draws the plot in (legend icons are smaller ones). */
function chartSvg(figure: HTMLElement): SVGSVGElement {
  const main = figure.querySelector<SVGSVGElement>('.recharts-wrapper > svg');
  if (main) return main;
  const all = [...figure.querySelectorAll<SVGSVGElement>('svg')];
  const area = (s: SVGSVGElement) =>
    s.getBoundingClientRect().width * s.getBoundingClientRect().height;
  const largest = all.sort((a, b) => area(b) - area(a))[0];
  if (!largest) throw new Error('This figure has no chart to export.');
  return largest;
}

/** "property: value; …" of the computed style, for the properties above. */
export function inlineStyleOf(style: Pick<CSSStyleDeclaration, 'getPropertyValue'>): string {
  return STYLE_PROPERTIES.map((p) => [p, style.getPropertyValue(p)] as const)
    .filter(([, v]) => v !== '')
    .map(([p, v]) => `${p}: ${v}`)
    .join('; ');
}

/** A file name made of letters, digits and dashes, with the extension: "Pareto chart" → "pareto-chart.svg". */
export function exportFileName(name: string, extension: 'svg' | 'png'): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return `${base || 'chart'}.${extension}`;
}

/** Size of the chart in CSS pixels. */
function sizeOf(svg: SVGSVGElement): { width: number; height: number } {
  const box = svg.getBoundingClientRect();
  return {
    width: Math.round(box.width) || Number(svg.getAttribute('width')) || 600,
    height: Math.round(box.height) || Number(svg.getAttribute('height')) || 300,
  };
}

/** The figure's chart as standalone SVG text (xmlns, explicit size, computed styles inlined). */
export function svgOf(figure: HTMLElement): string {
  const svg = chartSvg(figure);
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const sources = [svg, ...svg.querySelectorAll('*')];
  const targets = [clone, ...clone.querySelectorAll('*')];
  sources.forEach((source, i) => {
    const target = targets[i];
    if (!target) return;
    const inline = inlineStyleOf(getComputedStyle(source));
    const own = target.getAttribute('style');
    target.setAttribute('style', own ? `${inline}; ${own}` : inline);
  });
  const { width, height } = sizeOf(svg);
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('xmlns:xlink', 'http://www.w3.org/1999/xlink');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  if (!clone.getAttribute('viewBox')) clone.setAttribute('viewBox', `0 0 ${width} ${height}`);
  return new XMLSerializer().serializeToString(clone);
}

/** Offers the figure's chart as `<name>.svg`. */
export function downloadSvg(figure: HTMLElement, name: string): void {
  downloadBlob(exportFileName(name, 'svg'), new Blob([svgOf(figure)], { type: 'image/svg+xml' }));
}

/** Offers the figure's chart as `<name>.png`: the SVG drawn at 2× (device px = 2 · CSS px) on white. */
export async function downloadPng(figure: HTMLElement, name: string): Promise<void> {
  const { width, height } = sizeOf(chartSvg(figure));
  const url = URL.createObjectURL(new Blob([svgOf(figure)], { type: 'image/svg+xml' }));
  try {
    const image = new Image();
    await new Promise<void>((resolve, reject) => {
      image.onload = () => resolve();
      image.onerror = () => reject(new Error('The chart could not be drawn as an image.'));
      image.src = url;
    });
    const scale = 2;
    const canvas = document.createElement('canvas');
    canvas.width = width * scale;
    canvas.height = height * scale;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('No 2-D canvas in this browser.');
    ctx.fillStyle = CHART_INK.background;
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
    if (!blob) throw new Error('The chart could not be encoded as PNG.');
    downloadBlob(exportFileName(name, 'png'), blob);
  } finally {
    URL.revokeObjectURL(url);
  }
}
