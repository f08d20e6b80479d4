/**
 * Exact byte counts of the artifact a variant ships as.
 *
 * Layout counted, per tensor:
 * - `fp32` (dense float32): 4 B per weight, nothing else. This is tfjs' own `weights.bin`, whose
 *   shapes live in the JSON manifest (the manifest is not counted for any variant).
 * - every other encoding starts with a fixed {@link TENSOR_HEADER_BYTES}-byte header:
 *   u8 bits, u8 flags (encoding, symmetric), u16 scale count, u32 element count.
 *   Shapes come from the architecture description, which ships once and is not counted.
 * - `packed` (dense N-bit integers): header + ⌈N·count/8⌉ codes packed little-endian without
 *   padding between codes, + 4 B per fp32 scale, + one zero point per scale (1 B when N ≤ 8,
 *   else 4 B; none when symmetric).
 * - `bitmask` (sparse): header + ⌈count/8⌉ mask bits (1 = stored) + values packed as above over
 *   the non-zeros only (⌈N·nnz/8⌉, or 4 B·nnz for fp32) + scales/zero points.
 * - `csr` (sparse): the tensor is read as a matrix of rows = product of all dims but the last and
 *   cols = last dim (a dense kernel [in, out] or a conv kernel [kh, kw, cin, cout]); header +
 *   (rows + 1) u32 row pointers + one column index per non-zero in the narrowest unsigned integer
 *   holding cols − 1 (1, 2 or 4 B) + values as in `bitmask` + scales/zero points.
 * A tensor ships in the smallest of these (ties go to the dense encoding, then bitmask).
 *
 * Weight sharing (`codebook: k`): the codes are N-bit centroid indices and the quantizer's
 * parameters are the k fp32 centroids (4·k B) instead of scales and zero points. Pruned zeros
 * have no centroid, so a pruned shared tensor ships in a sparse encoding only.
 *
 * Activation grids (`activationGrid: true`, static PTQ and QAT only): the integer model keeps one
 * grid per quantized activation it reads (each layer input, each lookup table's pre-activation
 * grid). Each is {@link ACTIVATION_GRID_BYTES} = 8 B: an fp32 scale and an int32 zero point (the
 * zero point is added to int32 accumulators), with no header: the bit width is the stage's, and
 * which tensor it belongs to comes from the architecture. Lookup tables are rebuilt from the
 * grids at load time and are not counted.
 */
import { packedBytes } from '../../techniques/quantize/packing';

/** Fixed per-tensor header of every non-fp32 encoding: u8 bits, u8 flags, u16 scales, u32 count. */
export const TENSOR_HEADER_BYTES = 8;

/** Bytes of one activation grid: 4 B fp32 scale + 4 B int32 zero point. */
export const ACTIVATION_GRID_BYTES = 8;

/** What the size of one weight tensor depends on. */
export interface TensorSizeSpec {
  /** Layer weight name, e.g. `conv1/kernel`, carried into the breakdown. */
  name: string;
  /** Tensor shape; the element count is its product (a scalar `[]` holds 1 element). */
  shape: readonly number[];
  /** Bits per stored value: 32 means float32 as is; 1..16 means integer codes with scales. */
  bits: number;
  /** Scales of the quantizer: 1 per tensor, or one per output channel. Default 1; ignored at 32 bits. */
  scaleCount?: number;
  /** Symmetric quantizers store no zero points. Default true; ignored at 32 bits. */
  symmetric?: boolean;
  /** Weight sharing: the values are indices into a codebook of this many fp32 centroids. */
  codebook?: number;
  /** Non-zero elements (after pruning). Default: every element. */
  nonZeros?: number;
  /**
   * Activation grids, not stored values: `scaleCount` grids (default 1) of
   * ACTIVATION_GRID_BYTES each; the shape must hold no elements (`[0]`), so parameter counts
   * stay those of the weights. `bits` is the activation width (1..16).
   */
  activationGrid?: boolean;
}

export type TensorEncoding = 'fp32' | 'packed' | 'bitmask' | 'csr' | 'activation-grid';

/** The encoding chosen for a tensor and its exact size. */
export interface TensorBytes {
  name: string;
  encoding: TensorEncoding;
  bytes: number;
}

function checkCount(value: number, what: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${what} must be a non-negative integer, got ${value}.`);
  }
}

function checkBits(bits: number): void {
  if (!Number.isInteger(bits) || !((bits >= 1 && bits <= 16) || bits === 32)) {
    throw new RangeError(`bits must be 1..16 (integer codes) or 32 (float32), got ${bits}.`);
  }
}

/** Element count of a shape: ∏ dims (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => {
    checkCount(d, 'a dimension');
    return n * d;
  }, 1);
}

/** Bytes of `count` stored values: ⌈bits·count/8⌉ B packed, 4·count B at 32 bits (fp32). */
function valueBytes(count: number, bits: number): number {
  checkCount(count, 'count');
  checkBits(bits);
  return bits === 32 ? 4 * count : packedBytes(count, bits);
}

/** Bytes of a quantizer's parameters: scaleCount·4 B + zero points (scaleCount·(bits ≤ 8 ? 1 : 4) B unless symmetric). */
export function quantParamBytes(bits: number, scaleCount: number, symmetric: boolean): number {
  checkBits(bits);
  checkCount(scaleCount, 'scaleCount');
  if (bits === 32) return 0;
  const zeroPointBytes = symmetric ? 0 : scaleCount * (bits <= 8 ? 1 : 4);
  return scaleCount * 4 + zeroPointBytes;
}

/** Bytes of activation grids: grids · 8 B (fp32 scale + int32 zero point each). */
export function activationGridBytes(grids: number): number {
  checkCount(grids, 'grids');
  return grids * ACTIVATION_GRID_BYTES;
}

/** Bytes of a sparse index: bitmask ⌈count/8⌉ B, or CSR 4·(rows+1) + nnz·(1|2|4) B. */
export function sparseIndexBytes(
  shape: readonly number[],
  nonZeros: number,
  format: 'bitmask' | 'csr',
): number {
  const count = elementCount(shape);
  checkCount(nonZeros, 'nonZeros');
  if (format === 'bitmask') return Math.ceil(count / 8);
  const cols = shape.length === 0 ? 1 : (shape[shape.length - 1] ?? 1);
  const rows = cols === 0 ? 0 : count / cols;
  const indexBytes = cols <= 2 ** 8 ? 1 : cols <= 2 ** 16 ? 2 : 4;
  return 4 * (rows + 1) + nonZeros * indexBytes;
}

/** Bytes of a shared tensor's codebook, 4·k (null for a tensor without one). */
function codebookParams(spec: TensorSizeSpec): number | null {
  if (spec.codebook === undefined) return null;
  checkCount(spec.codebook, 'codebook');
  if (spec.bits === 32 || spec.codebook < 1 || spec.codebook > 2 ** spec.bits) {
    throw new RangeError(
      `${spec.name}: a codebook of ${spec.codebook} centroids needs 1..2^bits entries at 1..16 bits.`,
    );
  }
  return 4 * spec.codebook;
}

/** Smallest encoding of one tensor and its bytes (see the file comment for the exact layouts). */
export function tensorBytes(spec: TensorSizeSpec): TensorBytes {
  const { name, shape, bits } = spec;
  checkBits(bits);
  const count = elementCount(shape);
  if (spec.activationGrid) {
    if (count !== 0 || bits === 32) {
      throw new RangeError(`${name}: an activation grid holds no values and needs 1..16 bits.`);
    }
    return { name, encoding: 'activation-grid', bytes: activationGridBytes(spec.scaleCount ?? 1) };
  }
  const nonZeros = spec.nonZeros ?? count;
  checkCount(nonZeros, 'nonZeros');
  if (nonZeros > count) {
    throw new RangeError(`${name}: nonZeros (${nonZeros}) exceeds the element count (${count}).`);
  }
  const params =
    codebookParams(spec) ?? quantParamBytes(bits, spec.scaleCount ?? 1, spec.symmetric ?? true);
  const dense: TensorBytes =
    bits === 32
      ? { name, encoding: 'fp32', bytes: 4 * count }
      : {
          name,
          encoding: 'packed',
          bytes: TENSOR_HEADER_BYTES + params + valueBytes(count, bits),
        };
  const sparseBase = TENSOR_HEADER_BYTES + params + valueBytes(nonZeros, bits);
  const candidates: TensorBytes[] = [
    ...(spec.codebook !== undefined && nonZeros < count ? [] : [dense]),
    { name, encoding: 'bitmask', bytes: sparseBase + sparseIndexBytes(shape, nonZeros, 'bitmask') },
    { name, encoding: 'csr', bytes: sparseBase + sparseIndexBytes(shape, nonZeros, 'csr') },
  ];
  // reduce keeps the earliest of equal sizes, so ties go to dense, then bitmask.
  return candidates.reduce((best, c) => (c.bytes < best.bytes ? c : best));
}

/** Artifact bytes of a model: Σ over tensors of the smallest encoding's bytes. */
export function modelBytes(tensors: readonly TensorSizeSpec[]): number {
  return tensors.reduce((sum, t) => sum + tensorBytes(t).bytes, 0);
}

/** Per-tensor breakdown behind {@link modelBytes}, in input order. */
export function modelBytesBreakdown(tensors: readonly TensorSizeSpec[]): TensorBytes[] {
  return tensors.map(tensorBytes);
}

/** Whether this runtime has CompressionStream (Node ≥ 18, modern browsers and workers). */
export function hasCompressionStream(): boolean {
  return typeof globalThis.CompressionStream === 'function';
}

/**
 * Gzip size of bytes in B via CompressionStream('gzip'). Without it, the exact size of a gzip
 * stream of stored (uncompressed) deflate blocks: 18 + n + 5·max(1, ⌈n/65535⌉) B, an upper bound.
 */
export async function gzipBytes(bytes: Uint8Array): Promise<number> {
  if (!hasCompressionStream()) {
    return 18 + bytes.length + 5 * Math.max(1, Math.ceil(bytes.length / 65535));
  }
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  // Write and read concurrently: awaiting the write first can stall on back-pressure.
  const writing = (async () => {
    await writer.write(new Uint8Array(bytes));
    await writer.close();
  })();
  const reader = stream.readable.getReader();
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
  }
  await writing;
  return total;
}
