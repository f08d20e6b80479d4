// Tile kernels of the int8 engine: the 16 accumulators of an output-channel tile for one pixel,
// a pixel pair, or a 2×2 pooling window, on each kernel (relaxed dot, relaxed i16 dot, split, fixed).
import { I8Op, K_FIXED, K_RELAXED, K_RELAXED_I16 } from './int8-op';

/** A pixel pair's accumulators a, b: stored at acc and acc + 64. */
export const PAIR_STORE: i32 = 0;
/** max(a, b) stored at acc (the top row of a 2×2 pooling window). */
export const PAIR_MAX: i32 = 1;
/** max(acc, max(a, b)) stored at acc (its bottom row). */
export const PAIR_MAX_INTO: i32 = 2;

// @ts-ignore: decorator
@inline
function emitPair(
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

/** a + Σ of each 4 products w·x (x 7-bit): one fused relaxed dot, or (i16) a pair dot + widening add. */
// @ts-ignore: decorator
@inline
function dot7(w: v128, x: v128, a: v128, i16: bool): v128 {
  if (!ASC_FEATURE_RELAXED_SIMD) return a;
  return i16
    ? i32x4.add(a, i32x4.extadd_pairwise_i16x8_s(i16x8.relaxed_dot_i8x16_i7x16_s(w, x)))
    : i32x4.relaxed_dot_i8x16_i7x16_add_s(w, x, a);
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
): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
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
    for (let dy = 0; dy < op.kh; dy++) {
      let p0 = row + <usize>dy * rowStride;
      for (let g = 0; g < G; g++) {
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
    tileRelaxed2(op, t, wt, x00, right, down, acc, true, true);
  } else if (op.kernel == K_RELAXED) {
    tileRelaxed2(op, t, wt, x00, right, down, acc, false, true);
  } else {
    pair(op, t, wt, x00, x00 + right, acc, PAIR_MAX);
    pair(op, t, wt, x00 + down, x00 + down + right, acc, PAIR_MAX_INTO);
  }
}

/** 8-bit codes q = lo + 128·hi: Σ q·w = Σ lo·w + 128·Σ hi·w, both operands 7-bit. */
function tileSplit1(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize): void {
  if (!ASC_FEATURE_RELAXED_SIMD) return;
  const bias = op.bias + (<usize>t << 6);
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, 16);
  let a2 = v128.load(bias, 32);
  let a3 = v128.load(bias, 48);
  let h0 = i32x4.splat(0);
  let h1 = h0;
  let h2 = h0;
  let h3 = h0;
  const low7 = i8x16.splat(0x7f);
  const rowStride = <usize>(op.w * op.c);
  const G = op.groups;
  for (let dy = 0; dy < op.kh; dy++) {
    let p0 = x0 + <usize>dy * rowStride;
    for (let g = 0; g < G; g++) {
      const v = v128.load32_splat(p0);
      const lo = v128.and(v, low7);
      const hi = i8x16.shr_u(v, 7);
      const w0 = v128.load(wp);
      const w1 = v128.load(wp, 16);
      const w2 = v128.load(wp, 32);
      const w3 = v128.load(wp, 48);
      a0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, lo, a0);
      a1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, lo, a1);
      a2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w2, lo, a2);
      a3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w3, lo, a3);
      h0 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w0, hi, h0);
      h1 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w1, hi, h1);
      h2 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w2, hi, h2);
      h3 = i32x4.relaxed_dot_i8x16_i7x16_add_s(w3, hi, h3);
      wp += 64;
      p0 += 4;
    }
  }
  v128.store(acc, i32x4.add(a0, i32x4.shl(h0, 7)));
  v128.store(acc, i32x4.add(a1, i32x4.shl(h1, 7)), 16);
  v128.store(acc, i32x4.add(a2, i32x4.shl(h2, 7)), 32);
  v128.store(acc, i32x4.add(a3, i32x4.shl(h3, 7)), 48);
}

// @ts-ignore: decorator
@inline
function dot2(acc: v128, wa: v128, xa: v128, wb: v128, xb: v128): v128 {
  return i32x4.add(acc, i32x4.add(i32x4.dot_i16x8_s(wa, xa), i32x4.dot_i16x8_s(wb, xb)));
}

function tileFixed2(
  op: I8Op,
  t: i32,
  wp: usize,
  x0: usize,
  x1: usize,
  acc: usize,
  mode: i32,
): void {
  const bias = op.bias + (<usize>t << 6);
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, 16);
  let a2 = v128.load(bias, 32);
  let a3 = v128.load(bias, 48);
  let b0 = a0;
  let b1 = a1;
  let b2 = a2;
  let b3 = a3;
  const rowStride = <usize>(op.w * op.c);
  const G = op.groups;
  for (let dy = 0; dy < op.kh; dy++) {
    let p0 = x0 + <usize>dy * rowStride;
    let p1 = x1 + <usize>dy * rowStride;
    let g = 0;
    // Two groups (8 codes) per step: one widening load, int16 pairs (k0,k1) … (k6,k7) splat by shuffles.
    for (; g + 1 < G; g += 2) {
      const e0 = v128.load8x8_u(p0);
      const e1 = v128.load8x8_u(p1);
      let xa = i32x4.shuffle(e0, e0, 0, 0, 0, 0);
      let xb = i32x4.shuffle(e0, e0, 1, 1, 1, 1);
      let ya = i32x4.shuffle(e1, e1, 0, 0, 0, 0);
      let yb = i32x4.shuffle(e1, e1, 1, 1, 1, 1);
      let wa = v128.load(wp);
      let wb = v128.load(wp, 64);
      a0 = dot2(a0, wa, xa, wb, xb);
      b0 = dot2(b0, wa, ya, wb, yb);
      wa = v128.load(wp, 16);
      wb = v128.load(wp, 80);
      a1 = dot2(a1, wa, xa, wb, xb);
      b1 = dot2(b1, wa, ya, wb, yb);
      wa = v128.load(wp, 32);
      wb = v128.load(wp, 96);
      a2 = dot2(a2, wa, xa, wb, xb);
      b2 = dot2(b2, wa, ya, wb, yb);
      wa = v128.load(wp, 48);
      wb = v128.load(wp, 112);
      a3 = dot2(a3, wa, xa, wb, xb);
      b3 = dot2(b3, wa, ya, wb, yb);
      xa = i32x4.shuffle(e0, e0, 2, 2, 2, 2);
      xb = i32x4.shuffle(e0, e0, 3, 3, 3, 3);
      ya = i32x4.shuffle(e1, e1, 2, 2, 2, 2);
      yb = i32x4.shuffle(e1, e1, 3, 3, 3, 3);
      wa = v128.load(wp, 128);
      wb = v128.load(wp, 192);
      a0 = dot2(a0, wa, xa, wb, xb);
      b0 = dot2(b0, wa, ya, wb, yb);
      wa = v128.load(wp, 144);
      wb = v128.load(wp, 208);
      a1 = dot2(a1, wa, xa, wb, xb);
      b1 = dot2(b1, wa, ya, wb, yb);
      wa = v128.load(wp, 160);
      wb = v128.load(wp, 224);
      a2 = dot2(a2, wa, xa, wb, xb);
      b2 = dot2(b2, wa, ya, wb, yb);
      wa = v128.load(wp, 176);
      wb = v128.load(wp, 240);
      a3 = dot2(a3, wa, xa, wb, xb);
      b3 = dot2(b3, wa, ya, wb, yb);
      wp += 256;
      p0 += 8;
      p1 += 8;
    }
    if (g < G) {
      const e0 = i16x8.extend_low_i8x16_u(v128.load32_splat(p0));
      const e1 = i16x8.extend_low_i8x16_u(v128.load32_splat(p1));
      const xa = i32x4.shuffle(e0, e0, 0, 0, 0, 0);
      const xb = i32x4.shuffle(e0, e0, 1, 1, 1, 1);
      const ya = i32x4.shuffle(e1, e1, 0, 0, 0, 0);
      const yb = i32x4.shuffle(e1, e1, 1, 1, 1, 1);
      a0 = dot2(a0, v128.load(wp), xa, v128.load(wp, 64), xb);
      b0 = dot2(b0, v128.load(wp), ya, v128.load(wp, 64), yb);
      a1 = dot2(a1, v128.load(wp, 16), xa, v128.load(wp, 80), xb);
      b1 = dot2(b1, v128.load(wp, 16), ya, v128.load(wp, 80), yb);
      a2 = dot2(a2, v128.load(wp, 32), xa, v128.load(wp, 96), xb);
      b2 = dot2(b2, v128.load(wp, 32), ya, v128.load(wp, 96), yb);
      a3 = dot2(a3, v128.load(wp, 48), xa, v128.load(wp, 112), xb);
      b3 = dot2(b3, v128.load(wp, 48), ya, v128.load(wp, 112), yb);
      wp += 128;
    }
  }
  emitPair(acc, a0, a1, a2, a3, b0, b1, b2, b3, mode);
}

function tileFixed1(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize): void {
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
      const e0 = i16x8.extend_low_i8x16_u(v128.load32_splat(p0));
      const xa = i32x4.shuffle(e0, e0, 0, 0, 0, 0);
      const xb = i32x4.shuffle(e0, e0, 1, 1, 1, 1);
      a0 = dot2(a0, v128.load(wp), xa, v128.load(wp, 64), xb);
      a1 = dot2(a1, v128.load(wp, 16), xa, v128.load(wp, 80), xb);
      a2 = dot2(a2, v128.load(wp, 32), xa, v128.load(wp, 96), xb);
      a3 = dot2(a3, v128.load(wp, 48), xa, v128.load(wp, 112), xb);
      wp += 128;
      p0 += 4;
    }
  }
  v128.store(acc, a0);
  v128.store(acc, a1, 16);
  v128.store(acc, a2, 32);
  v128.store(acc, a3, 48);
}

/** Accumulators of two pixels (inputs x0, x1) for tile t, put at acc as `mode` says (fixed; relaxed and split: stored). */
export function pair(op: I8Op, t: i32, wp: usize, x0: usize, x1: usize, acc: usize, mode: i32): void {
  if (op.kernel == K_FIXED) {
    tileFixed2(op, t, wp, x0, x1, acc, mode);
  } else if (op.kernel == K_RELAXED) {
    tileRelaxed2(op, t, wp, x0, x1 - x0, 0, acc, false, false);
  } else if (op.kernel == K_RELAXED_I16) {
    tileRelaxed2(op, t, wp, x0, x1 - x0, 0, acc, true, false);
  } else {
    tileSplit1(op, t, wp, x0, acc);
    tileSplit1(op, t, wp, x1, acc + 64);
  }
}

export function single(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize): void {
  if (op.kernel == K_FIXED) tileFixed1(op, t, wp, x0, acc);
  else if (op.kernel == K_RELAXED) tileRelaxed1(op, t, wp, x0, acc, false);
  else if (op.kernel == K_RELAXED_I16) tileRelaxed1(op, t, wp, x0, acc, true);
  else tileSplit1(op, t, wp, x0, acc);
}

// @ts-ignore: decorator
@inline
export function tileBytes(op: I8Op): usize {
  return <usize>(op.kh * op.groups) * (op.kernel == K_FIXED ? 128 : 64);
}
