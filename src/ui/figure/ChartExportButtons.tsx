import type { RefObject } from 'react';
import { useState } from 'react';
import { downloadPng, downloadSvg } from './chart-export';

/** "SVG" and "PNG" buttons that download the chart inside `target`. */
export function ChartExportButtons({
  target,
  name,
}: {
  target: RefObject<HTMLElement | null>;
  name: string;
}) {
  const [error, setError] = useState<string | null>(null);
  const run = (action: (figure: HTMLElement) => void | Promise<void>) => async () => {
    const figure = target.current;
    if (!figure) return;
    try {
      setError(null);
      await action(figure);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  };
  return (
    <div className="button-row chart-export">
      <button
        type="button"
        data-testid="export-svg"
        title={`Download ${name} as SVG`}
        onClick={run((f) => downloadSvg(f, name))}
      >
        SVG
      </button>
      <button
        type="button"
        data-testid="export-png"
        title={`Download ${name} as PNG (2×)`}
        onClick={run((f) => downloadPng(f, name))}
      >
        PNG
      </button>
      {error && <span className="field-error">{error}</span>}
    </div>
  );
}
