import { useEffect, useRef } from 'react';
import { Scatter } from 'recharts';
import type { DatasetPreview as Preview, ImagePreview, PointPreview } from '../../worker/protocol';
import { Figure } from '../figure/Figure';
import { Plot } from '../figure/Plot';
import type { AxisSpec } from '../figure/Plot';
import { colourOf } from '../palette';
import './dataset.css';

/** A grid of sample images with their labels, or a scatter plot of 2-D points. */
export function DatasetPreview({ preview }: { preview: Preview }) {
  return preview.kind === 'images' ? (
    <ImageGrid preview={preview} />
  ) : (
    <PointScatter preview={preview} />
  );
}

function ImageTile({
  pixels,
  rows,
  cols,
}: {
  pixels: Uint8ClampedArray;
  rows: number;
  cols: number;
}) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    const ctx = ref.current?.getContext('2d');
    if (!ctx) return;
    const rgba = new Uint8ClampedArray(rows * cols * 4);
    for (let i = 0; i < rows * cols; i++) {
      const v = 255 - (pixels[i] ?? 0);
      rgba[4 * i] = v;
      rgba[4 * i + 1] = v;
      rgba[4 * i + 2] = v;
      rgba[4 * i + 3] = 255;
    }
    ctx.putImageData(new ImageData(rgba, cols, rows), 0, 0);
  }, [pixels, rows, cols]);
  return <canvas ref={ref} width={cols} height={rows} className="sample-image" />;
}

function ImageGrid({ preview }: { preview: ImagePreview }) {
  return (
    <Figure className="preview" caption="The first test images with their labels.">
      <div className="image-grid" data-testid="dataset-preview">
        {preview.images.map((pixels, i) => (
          <div key={i} className="image-cell">
            <ImageTile pixels={pixels} rows={preview.rows} cols={preview.cols} />
            <span>{preview.classNames[preview.labels[i] ?? 0]}</span>
          </div>
        ))}
      </div>
    </Figure>
  );
}

/** A coordinate axis of the scatter: round ticks around the points' range. */
function coordinate(key: 'x' | 'y', name: string, values: readonly number[]): AxisSpec {
  return {
    dataKey: key,
    name,
    type: 'number',
    domain: ['auto', 'auto'],
    extent: { min: Math.min(...values), max: Math.max(...values) },
    title: name,
  };
}

function PointScatter({ preview }: { preview: PointPreview }) {
  const { points } = preview;
  return (
    <Figure
      className="preview"
      testId="dataset-preview"
      caption="Test points coloured by class: the shape the network must learn to separate."
    >
      <Plot
        height={220}
        kind="scatter"
        legend
        x={coordinate(
          'x',
          'x₁',
          points.map((p) => p.x),
        )}
        y={coordinate(
          'y',
          'x₂',
          points.map((p) => p.y),
        )}
      >
        {preview.classNames.map((name, c) => (
          <Scatter
            key={name}
            name={name}
            data={points.filter((p) => p.label === c)}
            fill={colourOf(c)}
            isAnimationActive={false}
            shape="circle"
            r={2}
          />
        ))}
      </Plot>
    </Figure>
  );
}
