// Reader of the 'CPD1' files written by scripts/datasets.mjs (encodeDataset):
// 16-byte header of little-endian u32 [magic 'CPD1', count, rows, cols], then `count` label
// bytes, then count·rows·cols pixel bytes (0..255, row-major, one image after another).
import type { Rng } from '../rng';
import { shuffledIndices } from '../rng';
import type { DataSplit } from './types';

/** 'CPD1' read as a little-endian u32. */
export const DATASET_MAGIC = 0x31445043;
export const DATASET_HEADER_BYTES = 16;
/** Largest image side accepted; anything bigger means a corrupt header. */
export const MAX_IMAGE_SIDE = 1024;
/** Largest example count accepted; anything bigger means a corrupt header. */
export const MAX_EXAMPLES = 1_000_000;

export const PREPARE_DATA_HINT =
  'Run `npm run prepare-data` (add `-- --force` to rebuild) to regenerate the files in public/data.';

/** A dataset file that is missing, corrupt or not what was asked for; `hint` says what to do. */
export class DatasetFileError extends Error {
  readonly hint: string;
  constructor(problem: string, hint: string = PREPARE_DATA_HINT) {
    super(`${problem}. ${hint}`);
    this.name = 'DatasetFileError';
    this.hint = hint;
  }
}

export interface DatasetFile {
  count: number;
  rows: number;
  cols: number;
  /** `count` class indices (a view into the file buffer). */
  labels: Uint8Array;
  /** count·rows·cols grey levels 0..255 (a view into the file buffer). */
  pixels: Uint8Array;
}

export interface ExpectedShape {
  rows: number;
  cols: number;
  numClasses: number;
}

/**
 * Parses and validates a 'CPD1' file: byteLength = 16 + count + count·rows·cols bytes, with
 * every label < numClasses. Throws DatasetFileError naming `fileName` on any mismatch.
 */
export function parseDatasetFile(
  buffer: ArrayBuffer,
  expected?: ExpectedShape,
  fileName = 'the dataset file',
): DatasetFile {
  const fail = (problem: string, hint?: string): never => {
    throw new DatasetFileError(`${fileName} ${problem}`, hint);
  };
  if (buffer.byteLength < DATASET_HEADER_BYTES) {
    fail(`is only ${buffer.byteLength} bytes long, too short for the 16-byte header`);
  }
  const view = new DataView(buffer);
  const magic = view.getUint32(0, true);
  if (magic !== DATASET_MAGIC) {
    fail(
      `does not start with the 'CPD1' marker (found 0x${magic.toString(16).padStart(8, '0')}), ` +
        'so it is not a dataset file (a web server may have sent an HTML page in its place)',
    );
  }
  const count = view.getUint32(4, true);
  const rows = view.getUint32(8, true);
  const cols = view.getUint32(12, true);
  if (count === 0) fail('holds no examples (its header says count = 0)');
  if (count > MAX_EXAMPLES) fail(`claims ${count} examples, more than ${MAX_EXAMPLES}: corrupt`);
  const sideOk = (n: number) => n >= 1 && n <= MAX_IMAGE_SIDE;
  if (!sideOk(rows) || !sideOk(cols)) fail(`claims ${rows}×${cols} images, which is absurd`);
  if (expected && (rows !== expected.rows || cols !== expected.cols)) {
    fail(`holds ${rows}×${cols} images, but ${expected.rows}×${expected.cols} were expected`);
  }
  const pixelCount = count * rows * cols;
  const wantBytes = DATASET_HEADER_BYTES + count + pixelCount;
  if (buffer.byteLength < wantBytes) {
    fail(
      `is truncated: ${buffer.byteLength} bytes, but ${count} images of ${rows}×${cols} ` +
        `need ${wantBytes} (an interrupted download or conversion?)`,
    );
  }
  if (buffer.byteLength > wantBytes) {
    fail(`has ${buffer.byteLength - wantBytes} unexpected bytes after its ${count} images`);
  }
  const labels = new Uint8Array(buffer, DATASET_HEADER_BYTES, count);
  const pixels = new Uint8Array(buffer, DATASET_HEADER_BYTES + count, pixelCount);
  if (expected) {
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      if (label >= expected.numClasses) {
        fail(
          `has label ${label} at example ${i}, outside the classes 0…${expected.numClasses - 1}`,
        );
      }
    }
  }
  return { count, rows, cols, labels, pixels };
}

/** Grey levels to features: out[i] = pixels[offset + i] / 255, for i < length (in [0, 1]). */
export function normalizePixels(pixels: Uint8Array, offset: number, length: number): Float32Array {
  if (offset < 0 || offset + length > pixels.length) {
    throw new RangeError(`pixels [${offset}, ${offset + length}) outside 0…${pixels.length}`);
  }
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = pixels[offset + i]! / 255;
  return out;
}

/**
 * `count` examples of a file as a DataSplit with x = pixels / 255. Without `rng`, the first
 * `count` examples: MNIST's order is already mixed and our Fashion-MNIST split is shuffled once,
 * so the first N are a fair sample and the same for every seed. With `rng`, a uniform random
 * sample of `count` examples without replacement, in random order.
 */
export function takeSubset(file: DatasetFile, count: number, rng?: Rng): DataSplit {
  if (!Number.isInteger(count) || count < 1 || count > file.count) {
    throw new DatasetFileError(
      `asked for ${count} examples, but the file holds ${file.count}`,
      `Choose a size between 1 and ${file.count}.`,
    );
  }
  const size = file.rows * file.cols;
  if (!rng) {
    return {
      x: normalizePixels(file.pixels, 0, count * size),
      y: file.labels.slice(0, count),
      count,
    };
  }
  const order = shuffledIndices(file.count, rng);
  const x = new Float32Array(count * size);
  const y = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const i = order[k]!;
    y[k] = file.labels[i]!;
    for (let p = 0; p < size; p++) x[k * size + p] = file.pixels[i * size + p]! / 255;
  }
  return { x, y, count };
}

/** Class names of the image sets, index = label. */
export const CLASS_NAMES = {
  mnist: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  fashion: [
    'T-shirt/top',
    'Trouser',
    'Pullover',
    'Dress',
    'Coat',
    'Sandal',
    'Shirt',
    'Sneaker',
    'Bag',
    'Ankle boot',
  ],
} as const satisfies Record<'mnist' | 'fashion', readonly string[]>;
