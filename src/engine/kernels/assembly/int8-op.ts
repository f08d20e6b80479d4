// The int8 engine's layer record (I8Op) and kernel codes, shared by int8.ts and int8-tiles.ts.
export const OP_GEMM: i32 = 1;
export const OP_POOL: i32 = 2;

/** Products exact for 7-bit codes only: one relaxed dot per 16 MACs. */
export const K_RELAXED: i32 = 1;
/** 8-bit codes as two 7-bit halves: two relaxed dots per 16 MACs. */
export const K_RELAXED_SPLIT: i32 = 2;
/** Fixed SIMD: codes and weights as int16, i32x4.dot_i16x8_s. */
export const K_FIXED: i32 = 3;
/**
 * Products exact for 7-bit codes only, as K_RELAXED, through the i16x8 relaxed dot and a pairwise
 * widening add: without VNNI the fused i32x4 dot lowers to more instructions than this pair.
 */
export const K_RELAXED_I16: i32 = 4;
/**
 * K_RELAXED_I16 with the i16x8 dots of two 4-byte groups added in int16 before one widening add:
 * three multiply-port instructions per 32 MACs instead of four. Exact only where no int16 lane can
 * overflow, which the packing proves from the layer's weights (int8-pack.ts): groups are matched
 * per tile so that every lane of every pair fits.
 */
export const K_RELAXED_I16_PAIRS: i32 = 5;

/** Output channels per tile: four i32x4 accumulators per pixel. */
export const TILE: i32 = 16;
export const MAX_OPS: i32 = 64;

/** 1.5·2^52: adding it rounds an f64 below 2^51 to an integer, half to even, in the low word. */
export const MAGIC: f64 = 6755399441055744.0;

@unmanaged
export class I8Op {
  kind: i32;
  /** Input per example: h × w × c (dense: rows × 1 × inDim). */
  h: i32;
  w: i32;
  c: i32;
  kh: i32;
  kw: i32;
  outC: i32;
  oh: i32;
  ow: i32;
  /** 4-byte groups per kernel row: ceil(kw·c / 4). */
  groups: i32;
  tiles: i32;
  kernel: i32;
  last: i32;
  /** A 2×2 max pool fused after this conv: pooled on accumulators, then requantized. */
  pool: i32;
  zx: i32;
  z: i32;
  lutMin: i32;
  weights: usize;
  /** Relaxed-layout weights (relaxed build), fixed-layout weights; `weights` is the one in use. */
  relaxedWeights: usize;
  fixedWeights: usize;
  /** Input codes fit 7 bits: the one-dot relaxed kernel is exact. */
  codes7: i32;
  /** K_RELAXED_I16_PAIRS can run: 7-bit codes, and its pairs (rowsPairFit or packPaired) are exact. */
  pairsFit: i32;
  /** The paired kernel's weights (matched pairs, then singles, per tile) and schedule (packPaired). */
  pairedWeights: usize;
  schedule: usize;
  schedStride: i32;
  bias: usize;
  mult: usize;
  d: usize;
  lut: usize;
  ws: usize;
  /** q_b and Σ_k w8[k, c] per channel, so a new input zero point can refold bias'. */
  rawBias: usize;
  colSum: usize;
  /** Clamp bounds MAGIC + (lo − z_y), MAGIC + (qmax − z_y). */
  lo: f64;
  hi: f64;
  sx: f64;
}
