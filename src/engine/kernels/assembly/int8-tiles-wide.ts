// Tile kernels of the int8 engine for 8-bit input codes: two relaxed dots over 7-bit halves
// (split), and the fixed-SIMD int16 dot over codes and weights widened to int16.
import { I8Op } from './int8-op';
import { emitPair } from './int8-pair';

/** 8-bit codes q = lo + 128·hi: Σ q·w = Σ lo·w + 128·Σ hi·w, both operands 7-bit. */
export function tileSplit1(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize): void {
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

export function tileFixed2(
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

export function tileFixed1(op: I8Op, t: i32, wp: usize, x0: usize, acc: usize): void {
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
