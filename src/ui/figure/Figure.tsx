import { useRef } from 'react';
import type { ReactNode } from 'react';
import { ChartExportButtons } from './ChartExportButtons';
import './figure.css';

/** Extra attributes a figure carries for scripts and tests, e.g. `data-layout`. */
export type DataAttributes = Record<`data-${string}`, string | number | undefined>;

interface FigureProps {
  testId?: string;
  /** A short heading above the figure. */
  title?: string;
  /** One or two sentences under the figure saying what to look for. */
  caption: ReactNode;
  /** File name stem of the SVG / PNG export; no export buttons without it. */
  exportName?: string;
  className?: string;
  attributes?: DataAttributes;
  children: ReactNode;
}

/**
 * The frame of every figure: optional title, the chart (a <Plot>, a table, a canvas), the caption
 * and, with `exportName`, buttons that download the chart as SVG or PNG.
 */
export function Figure({
  testId,
  title,
  caption,
  exportName,
  className,
  attributes,
  children,
}: FigureProps) {
  const figure = useRef<HTMLElement>(null);
  return (
    <figure ref={figure} data-testid={testId} className={className} {...attributes}>
      {title && <h3 className="figure-title">{title}</h3>}
      {children}
      <figcaption>{caption}</figcaption>
      {exportName && <ChartExportButtons target={figure} name={exportName} />}
    </figure>
  );
}
