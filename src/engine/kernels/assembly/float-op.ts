// The float engine's layer record (FOp) and shared constants, for float.ts and float-csr.ts.
export const OP_GEMM: i32 = 1;
export const OP_POOL: i32 = 2;
export const TILE: i32 = 16;
export const MAX_OPS: i32 = 64;

@unmanaged
export class FOp {
  kind: i32;
  h: i32;
  w: i32;
  c: i32;
  kh: i32;
  kw: i32;
  outC: i32;
  oh: i32;
  ow: i32;
  tiles: i32;
  relu: i32;
  mode: i32;
  conv: i32;
  /** A 2×2 max pool follows this conv: fused into it when it runs CSR (pooled planes, then NHWC). */
  pool: i32;
  packed: usize;
  bias: usize;
  rowStart: usize;
  offsets: usize;
  values: usize;
}

// @ts-ignore: decorator
@inline
export function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}
