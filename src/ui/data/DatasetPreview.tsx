import { useEffect, useRef } from 'react';
import {
  Legend,
  ResponsiveContainer,
  Scatter,
  ScatterChart,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { ChartGrid } from '../common/ChartGrid';
import type { DatasetPreview as Preview, ImagePreview, PointPreview } from '../../worker/protocol';
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
    <figure className="preview">
      <div className="image-grid" data-testid="dataset-preview">
        {preview.images.map((pixels, i) => (
          <div key={i} className="image-cell">
            <ImageTile pixels={pixels} rows={preview.rows} cols={preview.cols} />
            <span>{preview.classNames[preview.labels[i] ?? 0]}</span>
          </div>
        ))}
      </div>
      <figcaption>The first test images with their labels.</figcaption>
    </figure>
  );
}

function PointScatter({ preview }: { preview: PointPreview }) {
  return (
    <figure className="preview" data-testid="dataset-preview">
      <ResponsiveContainer width="100%" height={220}>
        <ScatterChart margin={{ top: 8, right: 8, bottom: 16, left: 0 }}>
          <ChartGrid strokeDasharray="3 3" />
          <XAxis
            interval={0}
            type="number"
            dataKey="x"
            name="x₁"
            domain={['auto', 'auto']}
            tickCount={5}
            label={{ value: 'x₁', position: 'insideBottom', offset: -8 }}
          />
          <YAxis
            interval={0}
            type="number"
            dataKey="y"
            name="x₂"
            domain={['auto', 'auto']}
            tickCount={5}
            width={44}
            label={{ value: 'x₂', angle: -90, position: 'insideLeft' }}
          />
          <Tooltip cursor={{ strokeDasharray: '3 3' }} />
          <Legend verticalAlign="top" height={24} />
          {preview.classNames.map((name, c) => (
            <Scatter
              key={name}
              name={name}
              data={preview.points.filter((p) => p.label === c)}
              fill={colourOf(c)}
              isAnimationActive={false}
              shape="circle"
              r={2}
            />
          ))}
        </ScatterChart>
      </ResponsiveContainer>
      <figcaption>
        Test points coloured by class: the shape the network must learn to separate.
      </figcaption>
    </figure>
  );
}
