// Pure helpers used by prepare-data.mjs to turn the npm dataset packages into the
// compact binary files the browser loads. Kept in plain JS so Node runs them directly.

/** Magic bytes 'CPD1' that open every dataset file. */
export const DATASET_MAGIC = 0x31445043;
/** Bytes in the dataset file header: magic, count, rows, cols (u32 little-endian each). */
export const DATASET_HEADER_BYTES = 16;

/**
 * Parses an IDX file (big-endian header: 0x00 0x00 type ndims, then ndims u32 sizes).
 * @param {Uint8Array} bytes
 * @returns {{ shape: number[], data: Uint8Array }}
 */
export function parseIdx(bytes) {
  if (bytes.length < 4) throw new Error('IDX file too short for its magic number');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (view.getUint8(0) !== 0 || view.getUint8(1) !== 0) throw new Error('not an IDX file');
  const type = view.getUint8(2);
  if (type !== 0x08) throw new Error(`IDX element type 0x${type.toString(16)} is not uint8`);
  const ndims = view.getUint8(3);
  const headerBytes = 4 + 4 * ndims;
  if (ndims < 1 || bytes.length < headerBytes) throw new Error('IDX header truncated');
  const shape = [];
  for (let i = 0; i < ndims; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const count = shape.reduce((a, b) => a * b, 1);
  if (bytes.length - headerBytes !== count) {
    throw new Error(`IDX body has ${bytes.length - headerBytes} bytes, header says ${count}`);
  }
  return { shape, data: bytes.subarray(headerBytes, headerBytes + count) };
}

/**
 * Deterministic PRNG (mulberry32): x ← x + 0x6D2B79F5, then xorshift-multiply mixing.
 * @param {number} seed
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Seed of the fixed shuffle applied to each Fashion-MNIST split. */
export const FASHION_SPLIT_SEED = 20170825;
export const FASHION_TRAIN_PER_CLASS = 6000;
export const FASHION_TEST_PER_CLASS = 1000;

/**
 * The documented Fashion-MNIST split: empty entries (the package's class 0 has two) are
 * dropped; then for each class in file order the first 6,000 images go to train and the
 * next 1,000 to test; each split is then
 * shuffled with mulberry32(20170825) (Fisher–Yates) so classes are interleaved.
 * @param {number[][][]} perClass images of each class 0..9, each image 784 numbers 0..255
 * @returns {{ train: { labels: Uint8Array, images: Uint8Array }, test: { labels: Uint8Array, images: Uint8Array } }}
 */
export function splitFashion(
  perClass,
  trainPerClass = FASHION_TRAIN_PER_CLASS,
  testPerClass = FASHION_TEST_PER_CLASS,
) {
  const pixels = 784;
  const clean = perClass.map((images) => images.filter((image) => image.length === pixels));
  const take = (offset, n) => {
    const order = [];
    clean.forEach((images, label) => {
      if (images.length < offset + n) {
        throw new Error(`class ${label} has ${images.length} images, needs ${offset + n}`);
      }
      for (let i = 0; i < n; i++) order.push([label, offset + i]);
    });
    const rand = mulberry32(FASHION_SPLIT_SEED);
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    const labels = new Uint8Array(order.length);
    const images = new Uint8Array(order.length * pixels);
    order.forEach(([label, index], k) => {
      labels[k] = label;
      const image = clean[label][index];
      images.set(image, k * pixels);
    });
    return { labels, images };
  };
  return { train: take(0, trainPerClass), test: take(trainPerClass, testPerClass) };
}

/**
 * Encodes labels and images into the 'CPD1' file: 16-byte header, count labels, count·rows·cols pixels.
 * @param {Uint8Array} labels
 * @param {Uint8Array} images
 * @param {number} rows
 * @param {number} cols
 */
export function encodeDataset(labels, images, rows, cols) {
  const count = labels.length;
  if (images.length !== count * rows * cols) throw new Error('images and labels disagree in count');
  const out = new Uint8Array(DATASET_HEADER_BYTES + count + images.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, DATASET_MAGIC, true);
  view.setUint32(4, count, true);
  view.setUint32(8, rows, true);
  view.setUint32(12, cols, true);
  out.set(labels, DATASET_HEADER_BYTES);
  out.set(images, DATASET_HEADER_BYTES + count);
  return out;
}
