import { kernelView } from './nm';

/**
 * Exact bytes of a pruned fp32 weight tensor in three layouts (no headers; shapes ship with the
 * architecture):
 * - dense: every value, 4 B each.
 * - bitmask: one bit per position (⌈count/8⌉ B, 1 = stored) + the non-zero values, 4 B each.
 * - CSR over a 2-D view rows × cols, where rows = product of all dims but the last and cols = the
 *   last dim (dense [in, out] → in × out; conv HWIO → h·w·in × out, the tensor's own memory order,
 *   no transpose): 4 B per value + one column index per value + (rows + 1) int32 row pointers.
 *   Column indices are uint16 (2 B) when cols ≤ 65536 (they run 0..cols − 1), else int32 (4 B).
 * The tensor is stored in the smallest; ties go to dense, then bitmask.
 */
export type SparseFormat = 'dense' | 'bitmask' | 'csr';

function checkCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a whole number ≥ 0, got ${value}.`);
  }
}

function checkNonZeros(count: number, nnz: number): void {
  checkCount(count, 'The weight count');
  checkCount(nnz, 'The non-zero count');
  if (nnz > count) {
    throw new RangeError(`There cannot be more non-zeros (${nnz}) than weights (${count}).`);
  }
}

/** Non-zero entries of an array: nnz = #{i : wᵢ ≠ 0}. */
export function nonZeroCount(values: Float32Array): number {
  let nnz = 0;
  for (const v of values) if (v !== 0) nnz++;
  return nnz;
}

/** Dense fp32 bytes: 4·count B. */
export function denseBytes(count: number): number {
  checkCount(count, 'The weight count');
  return 4 * count;
}

/** Bitmask bytes: ⌈count/8⌉ + 4·nnz B. */
export function bitmaskBytes(count: number, nnz: number): number {
  checkNonZeros(count, nnz);
  return Math.ceil(count / 8) + 4 * nnz;
}

/** Bytes of one CSR column index: 2 (uint16) when cols ≤ 65536, else 4 (int32). */
export function csrIndexBytes(cols: number): number {
  checkCount(cols, 'The column count');
  return cols <= 65536 ? 2 : 4;
}

/** CSR bytes of a rows × cols matrix: 4·nnz (values) + idx·nnz (columns) + 4·(rows + 1) (row pointers). */
export function csrBytes(rows: number, cols: number, nnz: number): number {
  checkCount(rows, 'The row count');
  checkNonZeros(rows * cols, nnz);
  return 4 * nnz + csrIndexBytes(cols) * nnz + 4 * (rows + 1);
}

/** Every layout's size of one tensor and the one it is stored in. */
export interface SparseSize {
  count: number;
  nnz: number;
  denseBytes: number;
  bitmaskBytes: number;
  csrBytes: number;
  /** min(dense, bitmask, CSR) B. */
  storedBytes: number;
  format: SparseFormat;
}

/** Sizes of a weight tensor of `shape` (last dim = cols of the CSR view); stored = min(dense, bitmask, CSR) B. */
export function sparseSize(values: Float32Array, shape: readonly number[]): SparseSize {
  const count = values.length;
  if (shape.length < 2 && shape.reduce((a, b) => a * b, 1) !== count) {
    throw new RangeError(`Shape [${shape}] does not hold ${count} values.`);
  }
  const [rows, cols] = shape.length >= 2 ? kernelView(shape, count) : [1, count];
  const nnz = nonZeroCount(values);
  const dense = denseBytes(count);
  const bitmask = bitmaskBytes(count, nnz);
  const csr = csrBytes(rows, cols, nnz);
  const storedBytes = Math.min(dense, bitmask, csr);
  const format: SparseFormat =
    storedBytes === dense ? 'dense' : storedBytes === bitmask ? 'bitmask' : 'csr';
  return {
    count,
    nnz,
    denseBytes: dense,
    bitmaskBytes: bitmask,
    csrBytes: csr,
    storedBytes,
    format,
  };
}

/** Effective MACs of a layer: dense MACs × nnz / count (multiplies by a zero weight are skipped). */
export function effectiveMacs(denseMacs: number, nnz: number, count: number): number {
  checkNonZeros(count, nnz);
  if (!(denseMacs >= 0)) throw new RangeError(`Dense MACs must be ≥ 0, got ${denseMacs}.`);
  return count === 0 ? 0 : (denseMacs * nnz) / count;
}

/** Total effective MACs of several layers: Σ denseMacsᵢ · nnzᵢ / countᵢ. */
export function totalEffectiveMacs(
  layers: readonly { denseMacs: number; weights: Float32Array }[],
): number {
  return layers.reduce(
    (sum, l) => sum + effectiveMacs(l.denseMacs, nonZeroCount(l.weights), l.weights.length),
    0,
  );
}
