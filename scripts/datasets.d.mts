// Types of scripts/datasets.mjs, so TypeScript tests can import the plain-JS helpers.

/** Magic bytes 'CPD1' (little-endian u32) that open every dataset file. */
export const DATASET_MAGIC: number;
/** Bytes in the dataset file header: magic, count, rows, cols (u32 little-endian each). */
export const DATASET_HEADER_BYTES: number;

/** Parses an IDX file (big-endian header: 0x00 0x00 type ndims, then ndims u32 sizes). */
export function parseIdx(bytes: Uint8Array): { shape: number[]; data: Uint8Array };

/** Deterministic PRNG (mulberry32) returning numbers in [0, 1). */
export function mulberry32(seed: number): () => number;

export const FASHION_SPLIT_SEED: number;
export const FASHION_TRAIN_PER_CLASS: number;
export const FASHION_TEST_PER_CLASS: number;

export interface EncodedSplit {
  labels: Uint8Array;
  images: Uint8Array;
}

/** The documented Fashion-MNIST split: per class, first trainPerClass to train, next testPerClass to test. */
export function splitFashion(
  perClass: number[][][],
  trainPerClass?: number,
  testPerClass?: number,
): { train: EncodedSplit; test: EncodedSplit };

/** Encodes labels and images into the 'CPD1' file: 16-byte header, count labels, count·rows·cols pixels. */
export function encodeDataset(
  labels: Uint8Array,
  images: Uint8Array,
  rows: number,
  cols: number,
): Uint8Array<ArrayBuffer>;
