import { useMemo } from 'react';
import { ReferenceLine } from 'recharts';
import { Figure } from '../../../ui/figure/Figure';
import { Plot } from '../../../ui/figure/Plot';
import { barSeries } from '../../../ui/figure/series';
import type { Inspection } from '../../../worker/protocol';
import { CHART_INK, colourOf } from '../../../ui/palette';
import { codebookRows, drawnCentroids } from './share-rows';

type SharedLayer = Inspection['share'][number];

const fmt = (v: number) => v.toPrecision(3);

/** The chosen layer's weight histogram with its k-means centroids, before and after fine-tuning. */
export function ShareView({ codebooks, layer }: { codebooks: Inspection['share']; layer: string }) {
  const book = codebooks.find((b) => b.name === layer) ?? codebooks[0];
  if (!book) {
    return (
      <div className="views-charts" data-testid="views-share">
        <p className="muted" data-testid="views-share-none">
          This model does not share weights: add a weight-sharing (k-means) stage to a variant and
          pick it above.
        </p>
      </div>
    );
  }
  return (
    <div className="views-charts" data-testid="views-share">
      {book.name !== layer && (
        <p className="muted">
          {layer} has no codebook; showing {book.name}.
        </p>
      )}
      <CodebookChart book={book} />
    </div>
  );
}

function CodebookChart({ book }: { book: SharedLayer }) {
  const rows = useMemo(() => codebookRows(book), [book]);
  const { initial, final, tuned, shift } = drawnCentroids(book);
  const k = book.initial.length;
  const edges = book.histogram.edges;
  const lo = Math.min(edges[0] ?? 0, ...book.final);
  const hi = Math.max(edges[edges.length - 1] ?? 0, ...book.final);
  return (
    <Figure
      testId="chart-share-histogram"
      caption={
        <>
          {book.name}: its weights before sharing (bars) and the {k} values they now share
          {initial.length < k ? ` (${initial.length} of them drawn)` : ''}
          {tuned ? (
            <>
              : k-means centroids dashed, after fine-tuning solid (they moved by up to {fmt(shift)}
              ). Each weight stores only a {book.bits}-bit index into this codebook.
            </>
          ) : (
            <>
              {' '}
              (lines), as k-means placed them: dense where weights are dense. Each weight stores
              only a {book.bits}-bit index into this codebook.
            </>
          )}
        </>
      }
    >
      <Plot
        height={220}
        data={rows}
        barGap={0}
        grid="horizontal"
        legend
        x={{ dataKey: 'x', type: 'number', domain: [lo, hi], format: fmt, title: 'weight value' }}
        y={{ keys: ['weights'], title: 'weights' }}
        tooltip={{ label: (v) => `w ≈ ${typeof v === 'number' ? fmt(v) : String(v)}` }}
      >
        {barSeries([{ dataKey: 'weights', name: 'weights', colour: colourOf(0), opacity: 0.75 }])}
        {initial.map((c, i) => (
          <ReferenceLine
            key={`initial-${i}`}
            x={c}
            stroke={tuned ? CHART_INK.guide : colourOf(1)}
            strokeDasharray={tuned ? '3 2' : undefined}
            strokeWidth={tuned ? 1 : 1.5}
          />
        ))}
        {tuned &&
          final.map((c, i) => (
            <ReferenceLine key={`final-${i}`} x={c} stroke={colourOf(1)} strokeWidth={1.5} />
          ))}
      </Plot>
    </Figure>
  );
}
