/**
 * N:M semi-structured sparsity (2:4 by default): in every group of M consecutive weights along the
 * input dimension, at most N are non-zero. Sparse tensor cores read this pattern at full speed.
 *
 * Layout: the last dimension of the kernel is the output unit. A dense kernel [in, out] is grouped
 * along `in` for each output unit; a conv kernel [h, w, in, out] (HWIO) along the flattened
 * h·w·in for each output channel. In memory the row r of output unit o sits at index r·out + o.
 *
 * When the input size is not a multiple of M, the last, shorter group of g < M weights keeps its
 * min(N, g) largest, so it too has at most N non-zeros.
 */

/** Throws a RangeError unless N and M are integers with 1 ≤ N ≤ M. */
export function assertNM(n: number, m: number): void {
  if (!Number.isInteger(n) || !Number.isInteger(m)) {
    throw new RangeError(`N and M must be whole numbers, got N = ${n}, M = ${m}.`);
  }
  if (n < 1 || n > m) {
    throw new RangeError(
      `N:M sparsity keeps N weights out of every M, so 1 ≤ N ≤ M; got ${n}:${m}. ` +
        'Try 2:4 (half of each group of 4) or 1:4.',
    );
  }
}

/** Rows (flattened input positions) and columns (output units) of a kernel shape [..., out]. */
export function kernelView(shape: readonly number[], length: number): [number, number] {
  if (shape.length < 2) {
    throw new RangeError(`A kernel shape needs at least 2 dims [in, out], got [${shape}].`);
  }
  const cols = shape[shape.length - 1]!;
  const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (rows * cols !== length) {
    throw new RangeError(
      `Shape [${shape}] holds ${rows * cols} values but the array has ${length}.`,
    );
  }
  return [rows, cols];
}

/**
 * N:M mask: 1 at the N largest |w| of each group of M consecutive inputs per output unit (ties:
 * the lower index is pruned first), 0 elsewhere; sparsity = 1 − N/M when M divides the inputs.
 */
export function nmMask(
  weights: Float32Array,
  shape: readonly number[],
  n = 2,
  m = 4,
): Float32Array {
  assertNM(n, m);
  const [rows, cols] = kernelView(shape, weights.length);
  const mask = new Float32Array(weights.length);
  const group: number[] = [];
  for (let o = 0; o < cols; o++) {
    for (let start = 0; start < rows; start += m) {
      group.length = 0;
      for (let r = start; r < Math.min(start + m, rows); r++) group.push(r * cols + o);
      // Largest |w| first; among equal |w| the higher index ranks higher, so the lower is pruned.
      group.sort((a, b) => Math.abs(weights[b]!) - Math.abs(weights[a]!) || b - a);
      for (let j = 0; j < Math.min(n, group.length); j++) mask[group[j]!] = 1;
    }
  }
  return mask;
}

/** True when every group of M consecutive inputs of every output unit has at most N non-zeros. */
export function satisfiesNM(mask: Float32Array, shape: readonly number[], n = 2, m = 4): boolean {
  assertNM(n, m);
  const [rows, cols] = kernelView(shape, mask.length);
  for (let o = 0; o < cols; o++) {
    for (let start = 0; start < rows; start += m) {
      let nonZeros = 0;
      for (let r = start; r < Math.min(start + m, rows); r++) {
        if (mask[r * cols + o] !== 0) nonZeros++;
      }
      if (nonZeros > n) return false;
    }
  }
  return true;
}
