import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseDatasetFile } from '../src/engine/data/binary';
import { DATASET_MAGIC, encodeDataset, mulberry32, parseIdx, splitFashion } from './datasets.mjs';

/** An IDX buffer: 0x00 0x00 type ndims, big-endian u32 sizes, then the body. */
function idx(shape: number[], body: number[], type = 0x08): Uint8Array {
  const bytes = new Uint8Array(4 + 4 * shape.length + body.length);
  const view = new DataView(bytes.buffer);
  bytes.set([0, 0, type, shape.length]);
  shape.forEach((size, i) => view.setUint32(4 + 4 * i, size, false));
  bytes.set(body, 4 + 4 * shape.length);
  return bytes;
}

describe('parseIdx', () => {
  it('reads shape and body of a good file', () => {
    const { shape, data } = parseIdx(idx([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(shape).toEqual([2, 3]);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('reads big-endian sizes above 255', () => {
    const body = new Array<number>(300).fill(7);
    expect(parseIdx(idx([300], body)).shape).toEqual([300]);
  });

  it('rejects a wrong magic', () => {
    const bytes = idx([1], [9]);
    bytes[0] = 1;
    expect(() => parseIdx(bytes)).toThrow(/not an IDX file/);
    expect(() => parseIdx(new Uint8Array([0, 0]))).toThrow(/too short/);
  });

  it('rejects element types other than uint8', () => {
    expect(() => parseIdx(idx([1], [0, 0, 0, 0], 0x0d))).toThrow(/type 0xd is not uint8/);
  });

  it('rejects truncated headers and bodies', () => {
    expect(() => parseIdx(idx([2, 2], [1, 2, 3, 4]).subarray(0, 9))).toThrow(/header truncated/);
    expect(() => parseIdx(idx([2, 2], [1, 2, 3]))).toThrow(/body has 3 bytes, header says 4/);
  });
});

/** Image of class c, index i: pixel 0 = c, pixel 1 = i, the rest 200. */
function fakeImage(c: number, i: number): number[] {
  const image = new Array<number>(784).fill(200);
  image[0] = c;
  image[1] = i;
  return image;
}

function fakePerClass(perClass: number): number[][][] {
  return Array.from({ length: 10 }, (_, c) => {
    const images = Array.from({ length: perClass }, (_, i) => fakeImage(c, i));
    // The real package's class 0 holds two empty entries; put ours first so indices shift.
    return c === 0 ? [[], ...images, []] : images;
  });
}

describe('splitFashion', () => {
  const perClass = fakePerClass(5);
  const { train, test } = splitFashion(perClass, 3, 2);

  it('is deterministic', () => {
    const again = splitFashion(fakePerClass(5), 3, 2);
    expect(again.train.labels).toEqual(train.labels);
    expect(again.train.images).toEqual(train.images);
    expect(again.test.labels).toEqual(test.labels);
    expect(again.test.images).toEqual(test.images);
  });

  it('puts exactly trainPerClass / testPerClass examples of each class in each split', () => {
    const countOf = (labels: Uint8Array) =>
      Array.from({ length: 10 }, (_, c) => labels.filter((l) => l === c).length);
    expect(train.labels.length).toBe(30);
    expect(test.labels.length).toBe(20);
    expect(countOf(train.labels)).toEqual(new Array(10).fill(3));
    expect(countOf(test.labels)).toEqual(new Array(10).fill(2));
    expect(train.images.length).toBe(30 * 784);
  });

  it('keeps each image with its label, drops empty entries and splits disjointly in file order', () => {
    const ids = (split: { labels: Uint8Array; images: Uint8Array }) =>
      Array.from(split.labels, (label, k) => {
        const image = split.images.subarray(k * 784, (k + 1) * 784);
        expect(image[0]).toBe(label);
        expect(image[783]).toBe(200);
        return `${label}:${image[1]}`;
      });
    const trainIds = ids(train);
    const testIds = ids(test);
    expect(new Set([...trainIds, ...testIds]).size).toBe(50);
    expect(trainIds.filter((id) => id.startsWith('0:')).sort()).toEqual(['0:0', '0:1', '0:2']);
    expect(testIds.filter((id) => id.startsWith('0:')).sort()).toEqual(['0:3', '0:4']);
  });

  it('interleaves the classes', () => {
    const sorted = Array.from(train.labels).sort((a, b) => a - b);
    expect(Array.from(train.labels)).not.toEqual(sorted);
  });

  it('refuses a class with too few images', () => {
    expect(() => splitFashion(fakePerClass(4), 3, 2)).toThrow(/class 0 has 4 images, needs 5/);
  });
});

describe('mulberry32', () => {
  it('matches the engine RNG stream (same algorithm)', async () => {
    const { createRng } = await import('../src/engine/rng');
    const a = mulberry32(123);
    const b = createRng(123);
    for (let i = 0; i < 5; i++) expect(a()).toBe(b());
  });
});

describe('encodeDataset', () => {
  it('round-trips through parseDatasetFile', () => {
    const labels = new Uint8Array([2, 0, 9]);
    const images = Uint8Array.from({ length: 3 * 4 * 5 }, (_, i) => (i * 37) % 256);
    const bytes = encodeDataset(labels, images, 4, 5);
    expect(new DataView(bytes.buffer).getUint32(0, true)).toBe(DATASET_MAGIC);
    const file = parseDatasetFile(bytes.buffer, { rows: 4, cols: 5, numClasses: 10 });
    expect(file.count).toBe(3);
    expect(file.rows).toBe(4);
    expect(file.cols).toBe(5);
    expect(Array.from(file.labels)).toEqual([2, 0, 9]);
    expect(Array.from(file.pixels)).toEqual(Array.from(images));
  });

  it('refuses images and labels of different counts', () => {
    expect(() => encodeDataset(new Uint8Array(2), new Uint8Array(7), 2, 2)).toThrow(/disagree/);
  });
});

const dataDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'public', 'data');

describe.each([
  ['mnist', 60_000, 10_000],
  ['fashion', 60_000, 10_000],
])('generated public/data/%s files', (id, trainCount, testCount) => {
  for (const [split, count] of [
    ['train', trainCount],
    ['test', testCount],
  ] as const) {
    const path = join(dataDir, `${id}-${split}.bin`);
    it.skipIf(!existsSync(path))(`${split}: ${count} valid 28×28 images, classes balanced`, () => {
      const bytes = readFileSync(path);
      const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      const file = parseDatasetFile(buffer, { rows: 28, cols: 28, numClasses: 10 }, path);
      expect(file.count).toBe(count);
      const perClass = new Array<number>(10).fill(0);
      for (const label of file.labels) perClass[label] = perClass[label]! + 1;
      if (id === 'fashion') expect(perClass).toEqual(new Array(10).fill(count / 10));
      else expect(Math.min(...perClass)).toBeGreaterThan(count / 20);
    });
  }
});
