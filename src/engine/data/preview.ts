import type { Dataset } from './types';

/** A few images for the dataset card's grid: grey levels 0..255, row-major rows × cols each. */
export interface ImagePreview {
  kind: 'images';
  rows: number;
  cols: number;
  images: Uint8ClampedArray[];
  labels: number[];
  classNames: string[];
}

/** Points for the dataset card's scatter plot, in feature units. */
export interface PointPreview {
  kind: 'points';
  points: { x: number; y: number; label: number }[];
  classNames: string[];
}

/** Plain data (no tensors, no class instances) so it can be posted from the worker. */
export type DatasetPreview = ImagePreview | PointPreview;

/**
 * The first min(n, count) examples of a split (test by default): images as grey levels
 * round(255·x) clamped to 0..255, or 2-D points {x, y, label}.
 */
export function previewSamples(
  dataset: Dataset,
  n: number,
  split: 'train' | 'test' = 'test',
): DatasetPreview {
  const data = dataset[split];
  const take = Math.max(0, Math.min(Math.floor(n), data.count));
  const labels = Array.from(data.y.subarray(0, take));
  const classNames = [...dataset.classNames];
  if (dataset.inputShape.length === 1) {
    if (dataset.inputShape[0] !== 2) {
      throw new Error(`cannot scatter-plot ${dataset.inputShape[0]}-D points`);
    }
    const points = labels.map((label, i) => ({ x: data.x[2 * i]!, y: data.x[2 * i + 1]!, label }));
    return { kind: 'points', points, classNames };
  }
  const [rows = 0, cols = 0, channels = 1] = dataset.inputShape;
  if (channels !== 1) {
    throw new Error(`can only preview grey images, not ${dataset.inputShape.join('×')}`);
  }
  const size = rows * cols;
  const images = labels.map((_, i) => {
    const image = new Uint8ClampedArray(size);
    // Uint8ClampedArray rounds and clamps on assignment.
    for (let p = 0; p < size; p++) image[p] = data.x[i * size + p]! * 255;
    return image;
  });
  return { kind: 'images', rows, cols, images, labels, classNames };
}

/** Up to 64 test examples as plain data: grey images (side × side, 0..255) or 2-D points. */
export interface TestSamples {
  /** Image side in pixels (images only). */
  side?: number;
  images: Uint8ClampedArray[] | null;
  points: { x: number; y: number }[] | null;
  labels: number[];
}

const MAX_TEST_SAMPLES = 64;

/**
 * Test examples at `indices` (at most 64, out-of-range ones skipped): grey levels
 * round(255·x) clamped to 0..255 for images, or {x, y} feature values for 2-D points.
 */
export function testSamplesAt(dataset: Dataset, indices: readonly number[]): TestSamples {
  const { test, inputShape } = dataset;
  const picked = indices
    .filter((i) => Number.isInteger(i) && i >= 0 && i < test.count)
    .slice(0, MAX_TEST_SAMPLES);
  const labels = picked.map((i) => test.y[i]!);
  if (inputShape.length === 1) {
    const width = inputShape[0]!;
    const points = picked.map((i) => ({ x: test.x[width * i]!, y: test.x[width * i + 1] ?? 0 }));
    return { images: null, points, labels };
  }
  const [rows = 0, cols = 0, channels = 1] = inputShape;
  const size = rows * cols * channels;
  const images = picked.map((i) => {
    const image = new Uint8ClampedArray(rows * cols);
    // First channel only; Uint8ClampedArray rounds and clamps on assignment.
    for (let p = 0; p < rows * cols; p++) image[p] = test.x[i * size + p * channels]! * 255;
    return image;
  });
  return { side: rows, images, points: null, labels };
}
