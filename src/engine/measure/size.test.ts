import { describe, it, expect, vi, afterEach } from 'vitest';
import { createRng } from '../rng';
import {
  ACTIVATION_GRID_BYTES,
  TENSOR_HEADER_BYTES,
  activationGridBytes,
  elementCount,
  gzipBytes,
  hasCompressionStream,
  modelBytes,
  modelBytesBreakdown,
  quantParamBytes,
  sparseIndexBytes,
  tensorBytes,
} from './size';

describe('quantParamBytes', () => {
  it('counts fp32 scales and zero points of 1 B (≤ 8 bits) or 4 B (> 8 bits)', () => {
    expect(quantParamBytes(8, 1, true)).toBe(4);
    expect(quantParamBytes(8, 1, false)).toBe(5);
    expect(quantParamBytes(4, 16, false)).toBe(16 * 4 + 16);
    expect(quantParamBytes(12, 2, false)).toBe(2 * 4 + 2 * 4);
    expect(quantParamBytes(32, 5, false)).toBe(0);
  });

  it('rejects impossible bit widths and counts', () => {
    expect(() => elementCount([3, -2])).toThrow(RangeError);
  });
});

describe('tensorBytes', () => {
  it('ships a dense float tensor as 4 B a weight with no header', () => {
    expect(tensorBytes({ name: 'w', shape: [3, 4], bits: 32 })).toEqual({
      name: 'w',
      encoding: 'fp32',
      bytes: 48,
    });
    expect(tensorBytes({ name: 'b', shape: [0], bits: 32 }).bytes).toBe(0);
    expect(elementCount([])).toBe(1);
  });

  it('counts header + packed codes + scales + zero points for N-bit tensors', () => {
    expect(TENSOR_HEADER_BYTES).toBe(8);
    // 15 weights at 4 bits: 8 B codes, header 8, one scale 4.
    expect(tensorBytes({ name: 'w', shape: [3, 5], bits: 4 })).toEqual({
      name: 'w',
      encoding: 'packed',
      bytes: 20,
    });
    const asym = { name: 'w', shape: [3, 5], bits: 4, symmetric: false };
    expect(tensorBytes(asym).bytes).toBe(21);
    expect(tensorBytes({ ...asym, scaleCount: 5 }).bytes).toBe(8 + 8 + 5 * 4 + 5);
    // 12-bit asymmetric: 5 B codes + 4 B scale + 4 B zero point + header.
    expect(tensorBytes({ ...asym, shape: [3], bits: 12 }).bytes).toBe(21);
  });

  it('uses a bitmask for moderately sparse tensors', () => {
    // [100, 10] fp32 with 100 non-zeros: dense 4000; bitmask 8+125+400; CSR 8+404+100+400.
    const spec = { name: 'w', shape: [100, 10], bits: 32, nonZeros: 100 };
    expect(sparseIndexBytes(spec.shape, 100, 'bitmask')).toBe(125);
    expect(sparseIndexBytes(spec.shape, 100, 'csr')).toBe(504);
    expect(tensorBytes(spec)).toEqual({ name: 'w', encoding: 'bitmask', bytes: 533 });
  });

  it('uses CSR when few rows hold few non-zeros, with 2-byte column indices past 256 cols', () => {
    // [1, 1000] fp32 with 10 non-zeros: bitmask 8+125+40=173; CSR 8 + 4·2 + 10·2 + 40 = 76.
    const spec = { name: 'w', shape: [1, 1000], bits: 32, nonZeros: 10 };
    expect(tensorBytes(spec)).toEqual({ name: 'w', encoding: 'csr', bytes: 76 });
    expect(sparseIndexBytes([2, 70_000], 3, 'csr')).toBe(4 * 3 + 3 * 4);
    expect(sparseIndexBytes([4, 256], 3, 'csr')).toBe(4 * 5 + 3);
  });

  it('counts sparse quantized values packed over the non-zeros only', () => {
    // [64, 8] at 4 bits, 32 non-zeros: bitmask 8 + 4 + 64 + 16 = 92 beats packed 8 + 4 + 256.
    const spec = { name: 'w', shape: [64, 8], bits: 4, nonZeros: 32 };
    expect(tensorBytes(spec)).toEqual({ name: 'w', encoding: 'bitmask', bytes: 92 });
  });

  it('prefers the dense encoding on a tie', () => {
    // 8-bit [64] with 56 non-zeros: packed 8+4+64 = 76 = bitmask 8+4+8+56.
    const spec = { name: 'w', shape: [64], bits: 8, nonZeros: 56 };
    expect(tensorBytes(spec)).toEqual({ name: 'w', encoding: 'packed', bytes: 76 });
  });

  it('rejects more non-zeros than elements', () => {
    expect(() => tensorBytes({ name: 'w', shape: [2, 2], bits: 32, nonZeros: 5 })).toThrow(
      RangeError,
    );
  });
});

describe('tensorBytes with a codebook (weight sharing)', () => {
  it('stores packed indices and 4 B per centroid', () => {
    // 800×128 kernel, 4-bit indices, 16 centroids: 8 header + 64 codebook + 51,200 codes.
    const spec = { name: 'w', shape: [800, 128], bits: 4, codebook: 16 };
    expect(tensorBytes(spec)).toEqual({ name: 'w', encoding: 'packed', bytes: 8 + 64 + 51_200 });
  });

  it('ships a pruned shared tensor sparse: zeros have no centroid', () => {
    const spec = { name: 'w', shape: [100, 10], bits: 4, codebook: 16, nonZeros: 900 };
    // bitmask: 8 + 64 + 450 codes + 125 mask bytes; dense is not a candidate.
    expect(tensorBytes(spec)).toEqual({
      name: 'w',
      encoding: 'bitmask',
      bytes: 8 + 64 + 450 + 125,
    });
  });

  it('refuses a codebook larger than the index width allows', () => {
    expect(() => tensorBytes({ name: 'w', shape: [10], bits: 2, codebook: 5 })).toThrow(/2\^bits/);
    expect(() => tensorBytes({ name: 'w', shape: [10], bits: 32, codebook: 4 })).toThrow(
      RangeError,
    );
  });
});

describe('modelBytes', () => {
  it('sums the per-tensor choices', () => {
    const tensors = [
      { name: 'dense1/kernel', shape: [100, 10], bits: 32, nonZeros: 100 },
      { name: 'dense1/bias', shape: [10], bits: 32 },
      { name: 'logits/kernel', shape: [3, 5], bits: 4 },
    ];
    expect(modelBytes(tensors)).toBe(533 + 40 + 20);
    expect(modelBytesBreakdown(tensors).map((t) => t.encoding)).toEqual([
      'bitmask',
      'fp32',
      'packed',
    ]);
    expect(modelBytes([])).toBe(0);
  });

  it('adds 8 B per activation grid (fp32 scale + int32 zero point), no header, no weights', () => {
    expect(ACTIVATION_GRID_BYTES).toBe(4 + 4);
    expect(activationGridBytes(3)).toBe(24);
    const grid = { name: 'dense1/input_grid', shape: [0], bits: 8, activationGrid: true };
    expect(tensorBytes(grid)).toEqual({
      name: 'dense1/input_grid',
      encoding: 'activation-grid',
      bytes: 8,
    });
    expect(tensorBytes({ ...grid, bits: 16, scaleCount: 2 }).bytes).toBe(16);
    const tensors = [
      grid,
      { name: 'dense1/kernel', shape: [3, 5], bits: 4 },
      { name: 'dense1/bias', shape: [5], bits: 32 },
    ];
    expect(modelBytes(tensors)).toBe(8 + 20 + 20);
    expect(elementCount(grid.shape)).toBe(0); // parameter counts see no extra weights
    expect(() => tensorBytes({ ...grid, shape: [2] })).toThrow(/no values/);
    expect(() => tensorBytes({ ...grid, bits: 32 })).toThrow(RangeError);
    expect(() => activationGridBytes(-1)).toThrow(RangeError);
  });
});

describe('gzipBytes', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('compresses zeros far below their size, deterministically', async () => {
    expect(hasCompressionStream()).toBe(true);
    const zeros = new Uint8Array(10_000);
    const a = await gzipBytes(zeros);
    const b = await gzipBytes(zeros);
    expect(a).toBe(b);
    expect(a).toBeGreaterThan(18); // gzip header + trailer alone are 18 B
    expect(a).toBeLessThan(200);
  });

  it('cannot shrink random bytes', async () => {
    const rng = createRng(7);
    const noise = Uint8Array.from({ length: 10_000 }, () => Math.floor(rng() * 256));
    const size = await gzipBytes(noise);
    expect(size).toBeGreaterThanOrEqual(noise.length);
    expect(size).toBeLessThan(noise.length + 200);
    expect(await gzipBytes(noise)).toBe(size);
  });

  it('falls back to the stored-block bound without CompressionStream', async () => {
    vi.stubGlobal('CompressionStream', undefined);
    expect(hasCompressionStream()).toBe(false);
    expect(await gzipBytes(new Uint8Array(100))).toBe(18 + 100 + 5);
    expect(await gzipBytes(new Uint8Array(0))).toBe(18 + 5);
    expect(await gzipBytes(new Uint8Array(65_536))).toBe(18 + 65_536 + 10);
  });
});
