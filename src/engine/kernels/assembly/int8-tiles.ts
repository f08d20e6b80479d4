// Tile kernels of the int8 engine: the 16 accumulators of an output-channel tile for one pixel,
// a pixel pair, or a 2×2 pooling window: the relaxed kernels for 7-bit codes, and the dispatch.
import { I8Op, K_FIXED, K_RELAXED, K_RELAXED_I16, K_RELAXED_I16_PAIRS } from './int8-op';
import { PAIR_MAX, PAIR_MAX_INTO, PAIR_STORE, emitPair } from './int8-pair';
import { tileFixed1, tileFixed2, tileSplit1 } from './int8-tiles-wide';

export { PAIR_STORE } from './int8-pair';


/** a + Σ of each 4 products w·x (x 7-bit): one fused relaxed dot, or (i16) a pair dot + widening add. */
// @ts-ignore: decorator
@inline
function dot7(w: v128, x: v128, a: v128, i16: bool): v128 {
  if (!ASC_FEATURE_RELAXED_SIMD) return a;
  return i16
    ? i32x4.add(a, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x)))
    : i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, a);
}

/** a + the widened Σ of two groups' i16x8 dots w·x + z·u, added in int16 (K_RELAXED_I16_PAIRS). */
// @ts-ignore: decorator
@inline
function dot7Pair(w: v128, x: v128, z: v128, u: v128, a: v128): v128 {
  if (!ASC_FEATURE_RELAXED_SIMD) return a;
  const s = i16x8.add(i16x8.relaxed_dot_i8x16_i7x16_s(w, x), i16x8.relaxed_dot_i8x16_i7x16_s(z, u));
  return i32x4.add(a, i32x4.extadd_pairwise_i16x8_s(s));
}

// @ts-ignore: decorator
@inline
function tileRelaxed1(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize, i16: bool): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
  const bias = op.bias + (<usize>t << 6);
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, 16);
  let a2 = v128.load(bias, 32);
  let a3 = v128.load(bias, 48);
  const rowStride = <usize>(op.w * op.c);
  const G = op.groups;
  for (let dy = 0; dy < op.kh; dy++) {
    let p0 = x0 + <usize>dy * rowStride;
    for (let g = 0; g < G; g++) {
      const v0 = v128.load32_splat(p0);
      a0 = dot7(v128.load(wp), v0, a0, i16);
      a1 = dot7(v128.load(wp, 16), v0, a1, i16);
      a2 = dot7(v128.load(wp, 32), v0, a2, i16);
      a3 = dot7(v128.load(wp, 48), v0, a3, i16);
      wp += 64;
      p0 += 4;
    }
  }
  v128.store(acc, a0);
  v128.store(acc, a1, 16);
  v128.store(acc, a2, 32);
  v128.store(acc, a3, 48);
}

/**
 * tileRelaxed2 for kernels of 3 rows of one 4-byte group each (a 3×3 conv over one channel, the
 * first conv of our CNNs), with the row loops written out: they ran once or three times a pixel pair
 * and their counters and branches were a large share of so few dots.
 */
// @ts-ignore: decorator
@inline
function tileRelaxed2Rows3(
  op: I8Op,
  t: i32,
  wt: usize,
  x0: usize,
  right: usize,
  down: usize,
  acc: usize,
  i16: bool,
  pooled: bool,
  pairs: bool,
): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
  const bias = op.bias + (<usize>t << 6);
  const rowStride = <usize>(op.w * op.c);
  const rowStride2 = rowStride << 1;
  let m0 = v128.load(bias);
  let m1 = v128.load(bias, 16);
  let m2 = v128.load(bias, 32);
  let m3 = v128.load(bias, 48);
  let row = x0;
  for (let half = 0; half < 2; half++) {
    let a0 = v128.load(bias);
    let a1 = v128.load(bias, 16);
    let a2 = v128.load(bias, 32);
    let a3 = v128.load(bias, 48);
    let b0 = a0;
    let b1 = a1;
    let b2 = a2;
    let b3 = a3;
    let v0: v128, v1: v128, w0: v128, w1: v128, w2: v128, w3: v128;
    if (pairs) {
      // Rows 0 and 1 in one int16 sum per lane (i8_gemm proved it cannot overflow).
      v0 = v128.load32_splat(row);
      v1 = v128.load32_splat(row + rowStride);
      const u0 = v128.load32_splat(row + right);
      const u1 = v128.load32_splat(row + rowStride + right);
      w0 = v128.load(wt);
      w1 = v128.load(wt, 64);
      a0 = dot7Pair(w0, v0, w1, v1, a0);
      b0 = dot7Pair(w0, u0, w1, u1, b0);
      w0 = v128.load(wt, 16);
      w1 = v128.load(wt, 80);
      a1 = dot7Pair(w0, v0, w1, v1, a1);
      b1 = dot7Pair(w0, u0, w1, u1, b1);
      w0 = v128.load(wt, 32);
      w1 = v128.load(wt, 96);
      a2 = dot7Pair(w0, v0, w1, v1, a2);
      b2 = dot7Pair(w0, u0, w1, u1, b2);
      w0 = v128.load(wt, 48);
      w1 = v128.load(wt, 112);
      a3 = dot7Pair(w0, v0, w1, v1, a3);
      b3 = dot7Pair(w0, u0, w1, u1, b3);
    } else {
      v0 = v128.load32_splat(row);
      v1 = v128.load32_splat(row + right);
      w0 = v128.load(wt, 0);
      w1 = v128.load(wt, 16);
      w2 = v128.load(wt, 32);
      w3 = v128.load(wt, 48);
      a0 = dot7(w0, v0, a0, i16);
      a1 = dot7(w1, v0, a1, i16);
      a2 = dot7(w2, v0, a2, i16);
      a3 = dot7(w3, v0, a3, i16);
      b0 = dot7(w0, v1, b0, i16);
      b1 = dot7(w1, v1, b1, i16);
      b2 = dot7(w2, v1, b2, i16);
      b3 = dot7(w3, v1, b3, i16);
      v0 = v128.load32_splat(row + rowStride);
      v1 = v128.load32_splat(row + rowStride + right);
      w0 = v128.load(wt, 64);
      w1 = v128.load(wt, 80);
      w2 = v128.load(wt, 96);
      w3 = v128.load(wt, 112);
      a0 = dot7(w0, v0, a0, i16);
      a1 = dot7(w1, v0, a1, i16);
      a2 = dot7(w2, v0, a2, i16);
      a3 = dot7(w3, v0, a3, i16);
      b0 = dot7(w0, v1, b0, i16);
      b1 = dot7(w1, v1, b1, i16);
      b2 = dot7(w2, v1, b2, i16);
      b3 = dot7(w3, v1, b3, i16);
    }
    v0 = v128.load32_splat(row + rowStride2);
    v1 = v128.load32_splat(row + rowStride2 + right);
    w0 = v128.load(wt, 128);
    w1 = v128.load(wt, 144);
    w2 = v128.load(wt, 160);
    w3 = v128.load(wt, 176);
    a0 = dot7(w0, v0, a0, i16);
    a1 = dot7(w1, v0, a1, i16);
    a2 = dot7(w2, v0, a2, i16);
    a3 = dot7(w3, v0, a3, i16);
    b0 = dot7(w0, v1, b0, i16);
    b1 = dot7(w1, v1, b1, i16);
    b2 = dot7(w2, v1, b2, i16);
    b3 = dot7(w3, v1, b3, i16);
    if (!pooled) {
      emitPair(acc, a0, a1, a2, a3, b0, b1, b2, b3, PAIR_STORE);
      return;
    }
    a0 = i32x4.max_s(a0, b0);
    a1 = i32x4.max_s(a1, b1);
    a2 = i32x4.max_s(a2, b2);
    a3 = i32x4.max_s(a3, b3);
    m0 = half == 0 ? a0 : i32x4.max_s(m0, a0);
    m1 = half == 0 ? a1 : i32x4.max_s(m1, a1);
    m2 = half == 0 ? a2 : i32x4.max_s(m2, a2);
    m3 = half == 0 ? a3 : i32x4.max_s(m3, a3);
    row += down;
  }
  v128.store(acc, m0);
  v128.store(acc, m1, 16);
  v128.store(acc, m2, 32);
  v128.store(acc, m3, 48);
}

/**
 * Tile t's 16 accumulators for the pixel pair x0, x0 + right (relaxed kernels): stored at acc and
 * acc + 64, or with `pooled` the max over the 2×2 window whose bottom row starts `down` bytes on,
 * kept in registers across its two pairs (7% faster than emitPair's store and reload).
 */
// @ts-ignore: decorator
@inline
function tileRelaxed2(
  op: I8Op,
  t: i32,
  wt: usize,
  x0: usize,
  right: usize,
  down: usize,
  acc: usize,
  i16: bool,
  pooled: bool,
  pairs: bool,
): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
  if (op.groups == 1 && op.kh == 3) {
    tileRelaxed2Rows3(op, t, wt, x0, right, down, acc, i16, pooled, pairs);
    return;
  }
  const bias = op.bias + (<usize>t << 6);
  const rowStride = <usize>(op.w * op.c);
  const G = op.groups;
  let m0 = v128.load(bias);
  let m1 = v128.load(bias, 16);
  let m2 = v128.load(bias, 32);
  let m3 = v128.load(bias, 48);
  let row = x0;
  for (let half = 0; half < 2; half++) {
    let a0 = v128.load(bias);
    let a1 = v128.load(bias, 16);
    let a2 = v128.load(bias, 32);
    let a3 = v128.load(bias, 48);
    let b0 = a0;
    let b1 = a1;
    let b2 = a2;
    let b3 = a3;
    let wp = wt;
    if (pairs) {
      // The tile's schedule (packPaired): matched pairs in one int16 sum per lane, then singles.
      let s = op.schedule + <usize>(t * op.schedStride);
      const pairCount = load<i32>(s);
      const singleCount = load<i32>(s, 4);
      s += 8;
      for (let i = 0; i < pairCount; i++) {
        const pa = row + <usize>load<u32>(s);
        const pb = row + <usize>load<u32>(s, 4);
        const v0 = v128.load32_splat(pa);
        const v1 = v128.load32_splat(pa + right);
        const u0 = v128.load32_splat(pb);
        const u1 = v128.load32_splat(pb + right);
        let w = v128.load(wp);
        let z = v128.load(wp, 64);
        a0 = dot7Pair(w, v0, z, u0, a0);
        b0 = dot7Pair(w, v1, z, u1, b0);
        w = v128.load(wp, 16);
        z = v128.load(wp, 80);
        a1 = dot7Pair(w, v0, z, u0, a1);
        b1 = dot7Pair(w, v1, z, u1, b1);
        w = v128.load(wp, 32);
        z = v128.load(wp, 96);
        a2 = dot7Pair(w, v0, z, u0, a2);
        b2 = dot7Pair(w, v1, z, u1, b2);
        w = v128.load(wp, 48);
        z = v128.load(wp, 112);
        a3 = dot7Pair(w, v0, z, u0, a3);
        b3 = dot7Pair(w, v1, z, u1, b3);
        wp += 128;
        s += 8;
      }
      for (let i = 0; i < singleCount; i++) {
        const p = row + <usize>load<u32>(s);
        const v0 = v128.load32_splat(p);
        const v1 = v128.load32_splat(p + right);
        let w = v128.load(wp);
        a0 = dot7(w, v0, a0, true);
        b0 = dot7(w, v1, b0, true);
        w = v128.load(wp, 16);
        a1 = dot7(w, v0, a1, true);
        b1 = dot7(w, v1, b1, true);
        w = v128.load(wp, 32);
        a2 = dot7(w, v0, a2, true);
        b2 = dot7(w, v1, b2, true);
        w = v128.load(wp, 48);
        a3 = dot7(w, v0, a3, true);
        b3 = dot7(w, v1, b3, true);
        wp += 64;
        s += 4;
      }
    }
    for (let dy = 0; !pairs && dy < op.kh; dy++) {
      let p0 = row + <usize>dy * rowStride;
      let g = 0;
      for (; g < G; g++) {
        const v0 = v128.load32_splat(p0);
        const v1 = v128.load32_splat(p0 + right);
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        const w2 = v128.load(wp, 32);
        const w3 = v128.load(wp, 48);
        a0 = dot7(w0, v0, a0, i16);
        a1 = dot7(w1, v0, a1, i16);
        a2 = dot7(w2, v0, a2, i16);
        a3 = dot7(w3, v0, a3, i16);
        b0 = dot7(w0, v1, b0, i16);
        b1 = dot7(w1, v1, b1, i16);
        b2 = dot7(w2, v1, b2, i16);
        b3 = dot7(w3, v1, b3, i16);
        wp += 64;
        p0 += 4;
      }
    }
    if (!pooled) {
      emitPair(acc, a0, a1, a2, a3, b0, b1, b2, b3, PAIR_STORE);
      return;
    }
    a0 = i32x4.max_s(a0, b0);
    a1 = i32x4.max_s(a1, b1);
    a2 = i32x4.max_s(a2, b2);
    a3 = i32x4.max_s(a3, b3);
    m0 = half == 0 ? a0 : i32x4.max_s(m0, a0);
    m1 = half == 0 ? a1 : i32x4.max_s(m1, a1);
    m2 = half == 0 ? a2 : i32x4.max_s(m2, a2);
    m3 = half == 0 ? a3 : i32x4.max_s(m3, a3);
    row += down;
  }
  v128.store(acc, m0);
  v128.store(acc, m1, 16);
  v128.store(acc, m2, 32);
  v128.store(acc, m3, 48);
}

/** The max of tile t's accumulators over the 2×2 window at x00 (pixel `right`, row `down` bytes on). */
// @ts-ignore: decorator
@inline
export function pooledTile(
  op: I8Op,
  t: i32,
  wt: usize,
  x00: usize,
  right: usize,
  down: usize,
  acc: usize,
): void {
  if (op.kernel == K_RELAXED_I16) {
    tileRelaxed2(op, t, wt, x00, right, down, acc, true, true, false);
  } else if (op.kernel == K_RELAXED_I16_PAIRS) {
    tileRelaxed2(op, t, wt, x00, right, down, acc, true, true, true);
  } else if (op.kernel == K_RELAXED) {
    tileRelaxed2(op, t, wt, x00, right, down, acc, false, true, false);
  } else {
    pair(op, t, wt, x00, x00 + right, acc, PAIR_MAX);
    pair(op, t, wt, x00 + down, x00 + down + right, acc, PAIR_MAX_INTO);
  }
}


/** Accumulators of two pixels (inputs x0, x1) for tile t, put at acc as `mode` says (fixed; relaxed and split: stored). */
export function pair(op: I8Op, t: i32, wp: usize, x0: usize, x1: usize, acc: usize, mode: i32): void {
  if (op.kernel == K_FIXED) {
    tileFixed2(op, t, wp, x0, x1, acc, mode);
  } else if (op.kernel == K_RELAXED) {
    tileRelaxed2(op, t, wp, x0, x1 - x0, 0, acc, false, false, false);
  } else if (op.kernel == K_RELAXED_I16) {
    tileRelaxed2(op, t, wp, x0, x1 - x0, 0, acc, true, false, false);
  } else if (op.kernel == K_RELAXED_I16_PAIRS) {
    tileRelaxed2(op, t, wp, x0, x1 - x0, 0, acc, true, false, true);
  } else {
    tileSplit1(op, t, wp, x0, acc);
    tileSplit1(op, t, wp, x1, acc + 64);
  }
}

export function single(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize): void {
  if (op.kernel == K_FIXED) tileFixed1(op, t, wp, x0, acc);
  else if (op.kernel == K_RELAXED) tileRelaxed1(op, t, wp, x0, acc, false);
  else if (op.kernel == K_RELAXED_I16) tileRelaxed1(op, t, wp, x0, acc, true);
  // The paired kernel's single pixels take the unpaired i16 loop on the relaxed layout: the same integers.
  else if (op.kernel == K_RELAXED_I16_PAIRS) {
    tileRelaxed1(op, t, op.relaxedWeights + <usize>t * tileBytes(op), x0, acc, true);
  }
  else tileSplit1(op, t, wp, x0, acc);
}

// @ts-ignore: decorator
@inline
export function tileBytes(op: I8Op): usize {
  return <usize>(op.kh * op.groups) * (op.kernel == K_FIXED ? 128 : 64);
}
