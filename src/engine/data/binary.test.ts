import { describe, expect, it } from 'vitest';
import { createRng } from '../rng';
import {
  CLASS_NAMES,
  DATASET_MAGIC,
  DatasetFileError,
  normalizePixels,
  parseDatasetFile,
  takeSubset,
} from './binary';

/** A hand-built 'CPD1' file: example i has label labels[i] and every pixel equal to 10·i + p. */
function buildFile(labels: number[], rows = 2, cols = 3, magic = DATASET_MAGIC): ArrayBuffer {
  const count = labels.length;
  const buffer = new ArrayBuffer(16 + count + count * rows * cols);
  const view = new DataView(buffer);
  view.setUint32(0, magic, true);
  view.setUint32(4, count, true);
  view.setUint32(8, rows, true);
  view.setUint32(12, cols, true);
  const bytes = new Uint8Array(buffer);
  bytes.set(labels, 16);
  for (let i = 0; i < count; i++) {
    for (let p = 0; p < rows * cols; p++) bytes[16 + count + i * rows * cols + p] = 10 * i + p;
  }
  return buffer;
}

const expected = { rows: 2, cols: 3, numClasses: 10 };

function errorOf(run: () => unknown): DatasetFileError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(DatasetFileError);
    return error as DatasetFileError;
  }
  throw new Error('expected a DatasetFileError, but nothing was thrown');
}

describe('parseDatasetFile', () => {
  it('reads the header, labels and pixels of a good file', () => {
    const file = parseDatasetFile(buildFile([3, 1, 4]), expected);
    expect(file.count).toBe(3);
    expect(file.rows).toBe(2);
    expect(file.cols).toBe(3);
    expect(Array.from(file.labels)).toEqual([3, 1, 4]);
    expect(file.pixels.length).toBe(18);
    expect(Array.from(file.pixels.subarray(6, 12))).toEqual([10, 11, 12, 13, 14, 15]);
  });

  it('checks the magic is the little-endian bytes "CPD1"', () => {
    const bytes = new Uint8Array(buildFile([0]));
    expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('CPD1');
  });

  it('rejects a file shorter than the header', () => {
    const e = errorOf(() => parseDatasetFile(new ArrayBuffer(7), expected, 'mnist-train.bin'));
    expect(e.message).toMatch(/mnist-train\.bin is only 7 bytes/);
    expect(e.message).toMatch(/npm run prepare-data/);
  });

  it('rejects a wrong magic (for example an HTML page)', () => {
    const html = new TextEncoder().encode('<!doctype html><html></html>');
    const e = errorOf(() => parseDatasetFile(html.buffer, expected));
    expect(e.message).toMatch(/'CPD1' marker/);
    expect(e.message).toMatch(/HTML/);
    expect(e.hint).toMatch(/npm run prepare-data/);
  });

  it('rejects a truncated body', () => {
    const e = errorOf(() => parseDatasetFile(buildFile([1, 2, 3]).slice(0, 30), expected));
    expect(e.message).toMatch(/truncated: 30 bytes/);
    expect(e.message).toMatch(/need 37/);
  });

  it('rejects trailing bytes', () => {
    const good = new Uint8Array(buildFile([1, 2]));
    const longer = new Uint8Array(good.length + 5);
    longer.set(good);
    expect(errorOf(() => parseDatasetFile(longer.buffer, expected)).message).toMatch(
      /5 unexpected bytes/,
    );
  });

  it('rejects a label outside the classes', () => {
    const e = errorOf(() => parseDatasetFile(buildFile([1, 12, 0]), expected));
    expect(e.message).toMatch(/label 12 at example 1, outside the classes 0…9/);
  });

  it('accepts any label when no class count is expected', () => {
    expect(parseDatasetFile(buildFile([200])).labels[0]).toBe(200);
  });

  it('rejects zero examples', () => {
    expect(errorOf(() => parseDatasetFile(buildFile([]), expected)).message).toMatch(
      /holds no examples/,
    );
  });

  it('rejects absurd sizes in the header', () => {
    const huge = buildFile([1]);
    new DataView(huge).setUint32(8, 70_000, true);
    expect(errorOf(() => parseDatasetFile(huge)).message).toMatch(/70000×3 images/);
    const zeroSide = buildFile([1]);
    new DataView(zeroSide).setUint32(12, 0, true);
    expect(errorOf(() => parseDatasetFile(zeroSide)).message).toMatch(/absurd/);
    const many = buildFile([1]);
    new DataView(many).setUint32(4, 0xffffffff, true);
    expect(errorOf(() => parseDatasetFile(many)).message).toMatch(/corrupt/);
  });

  it('rejects images of another shape than expected', () => {
    const e = errorOf(() => parseDatasetFile(buildFile([1], 28, 28), expected));
    expect(e.message).toMatch(/28×28 images, but 2×3 were expected/);
  });
});

describe('normalizePixels', () => {
  it('divides by 255 from the offset', () => {
    const out = normalizePixels(new Uint8Array([9, 0, 51, 255, 7]), 1, 3);
    expect(Array.from(out)).toEqual([0, Math.fround(0.2), 1]);
  });

  it('refuses a range outside the pixels', () => {
    expect(() => normalizePixels(new Uint8Array(4), 2, 3)).toThrow(RangeError);
  });
});

describe('takeSubset', () => {
  const file = parseDatasetFile(buildFile([5, 6, 7, 8]), expected);

  it('takes the first N examples, normalized', () => {
    const split = takeSubset(file, 2);
    expect(split.count).toBe(2);
    expect(Array.from(split.y)).toEqual([5, 6]);
    expect(split.x.length).toBe(12);
    expect(split.x[6]).toBeCloseTo(10 / 255, 7);
    expect(split.x[11]).toBeCloseTo(15 / 255, 7);
  });

  it('with an rng takes a random sample without repeats, pixels kept with labels', () => {
    const split = takeSubset(file, 3, createRng(4));
    const labels = Array.from(split.y);
    expect(new Set(labels).size).toBe(3);
    labels.forEach((label, k) => {
      const i = label - 5;
      expect(split.x[k * 6]).toBeCloseTo((10 * i) / 255, 7);
    });
    expect(Array.from(takeSubset(file, 3, createRng(4)).y)).toEqual(labels);
  });

  it('refuses more examples than the file has', () => {
    expect(errorOf(() => takeSubset(file, 5)).message).toMatch(/asked for 5 .* holds 4/);
  });
});

describe('CLASS_NAMES', () => {
  it('names ten classes for each image set', () => {
    expect(CLASS_NAMES.mnist).toHaveLength(10);
    expect(CLASS_NAMES.fashion).toHaveLength(10);
    expect(CLASS_NAMES.fashion[9]).toBe('Ankle boot');
  });
});
