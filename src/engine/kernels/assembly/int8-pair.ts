// Where a tile kernel puts a pixel pair's accumulators: stored, or max-pooled in registers.
import { I8Op } from './int8-op';

/** A pixel pair's accumulators a, b: stored at acc and acc + 64. */
export const PAIR_STORE: i32 = 0;
/** max(a, b) stored at acc (the top row of a 2×2 pooling window). */
export const PAIR_MAX: i32 = 1;
/** max(acc, max(a, b)) stored at acc (its bottom row). */
export const PAIR_MAX_INTO: i32 = 2;

// @ts-ignore: decorator
@inline
export function emitPair(
  acc: usize,
  a0: v128,
  a1: v128,
  a2: v128,
  a3: v128,
  b0: v128,
  b1: v128,
  b2: v128,
  b3: v128,
  mode: i32,
): void {
  if (mode == PAIR_STORE) {
    v128.store(acc, a0);
    v128.store(acc, a1, 16);
    v128.store(acc, a2, 32);
    v128.store(acc, a3, 48);
    v128.store(acc, b0, 64);
    v128.store(acc, b1, 80);
    v128.store(acc, b2, 96);
    v128.store(acc, b3, 112);
    return;
  }
  let m0 = i32x4.max_s(a0, b0);
  let m1 = i32x4.max_s(a1, b1);
  let m2 = i32x4.max_s(a2, b2);
  let m3 = i32x4.max_s(a3, b3);
  if (mode == PAIR_MAX_INTO) {
    m0 = i32x4.max_s(m0, v128.load(acc));
    m1 = i32x4.max_s(m1, v128.load(acc, 16));
    m2 = i32x4.max_s(m2, v128.load(acc, 32));
    m3 = i32x4.max_s(m3, v128.load(acc, 48));
  }
  v128.store(acc, m0);
  v128.store(acc, m1, 16);
  v128.store(acc, m2, 32);
  v128.store(acc, m3, 48);
}

// Tile kernels: the 16 accumulators of tile t for two pixels (inputs x0, x1) or one, stored at acc;
// wp walks the tile's packed weights.
