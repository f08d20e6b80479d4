// Training kernels that run on tfjs-wasm's own memory (imported, see scripts/build-wasm.mjs):
// the arguments are byte offsets of tfjs tensors on its heap, so nothing is copied. This module
// holds no data and allocates nothing (the build checks it has no data segment), so it never
// writes outside the tensors it is given. All tensors are float32, NHWC, filters HWIO; convs are
// valid with stride 1 (the playground's CNN blocks), pools 2×2 with stride 2.

const ACT_RELU: i32 = 1;
const ACT_TANH: i32 = 2;
const ACT_SIGMOID: i32 = 3;

// @ts-ignore: decorator
@inline
function madd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(f32x4.mul(a, b), c);
}

// @ts-ignore: decorator
@inline
function maddS(a: f32, b: f32, c: f32): f32 {
  return a * b + c;
}

/** g·f'(y) from the activation's output y: ReLU step(y), tanh 1 − y², sigmoid y(1 − y). */
// @ts-ignore: decorator
@inline
function actGrad(g: v128, y: v128, act: i32): v128 {
  const one = f32x4.splat(1);
  if (act == ACT_RELU) return f32x4.mul(g, v128.and(f32x4.gt(y, f32x4.splat(0)), one));
  if (act == ACT_TANH) return f32x4.mul(g, f32x4.sub(one, f32x4.mul(y, y)));
  if (act == ACT_SIGMOID) return f32x4.mul(g, f32x4.mul(y, f32x4.sub(one, y)));
  return g;
}

// @ts-ignore: decorator
@inline
function actGradS(g: f32, y: f32, act: i32): f32 {
  if (act == ACT_RELU) return g * (y > 0 ? <f32>1 : <f32>0);
  if (act == ACT_TANH) return g * (1 - y * y);
  if (act == ACT_SIGMOID) return g * (y * (1 - y));
  return g;
}

/** dst[i] += src[i] for `count` floats: a second chunk's partial sums into the first's. */
export function t_add(dst: usize, src: usize, count: i32): void {
  const c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) {
    const o = <usize>i << 2;
    v128.store(dst + o, f32x4.add(v128.load(dst + o), v128.load(src + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(dst + o, load<f32>(dst + o) + load<f32>(src + o));
  }
}

/**
 * For images b0 … b1−1 (every kernel here takes a range, so two threads can share a batch):
 * dz = f'(y) ⊙ dy and db = Σ_{n,h,w} dz for a conv block's output y [n, h, w, c] (after the
 * activation `act`). With `pooled`, dy is the gradient of maxpool2×2(y) [n, ⌊h/2⌋, ⌊w/2⌋, c],
 * routed to each window's first maximum (row-major, as tfjs's MaxPoolGrad on cpu). The bias sum
 * is kept per image and channel group, then added across images, to stay close to a float64 sum.
 */
export function t_act_grad(
  y: usize,
  dy: usize,
  dz: usize,
  db: usize,
  b0: i32,
  b1: i32,
  h: i32,
  w: i32,
  c: i32,
  act: i32,
  pooled: i32,
): void {
  memory.fill(db, 0, <usize>c << 2);
  const c4 = c & ~3;
  const pixel = <usize>c << 2;
  if (!pooled) {
    const image = <usize>(h * w) * pixel;
    for (let b = b0; b < b1; b++) {
      const y0 = y + <usize>b * image;
      const dy0 = dy + <usize>b * image;
      const dz0 = dz + <usize>b * image;
      for (let ch = 0; ch < c4; ch += 4) {
        let acc = f32x4.splat(0);
        let off = <usize>ch << 2;
        for (let p = 0; p < h * w; p++, off += pixel) {
          const g = actGrad(v128.load(dy0 + off), v128.load(y0 + off), act);
          v128.store(dz0 + off, g);
          acc = f32x4.add(acc, g);
        }
        v128.store(db + (<usize>ch << 2), f32x4.add(v128.load(db + (<usize>ch << 2)), acc));
      }
      for (let ch = c4; ch < c; ch++) {
        let acc: f32 = 0;
        let off = <usize>ch << 2;
        for (let p = 0; p < h * w; p++, off += pixel) {
          const g = actGradS(load<f32>(dy0 + off), load<f32>(y0 + off), act);
          store<f32>(dz0 + off, g);
          acc += g;
        }
        store<f32>(db + (<usize>ch << 2), load<f32>(db + (<usize>ch << 2)) + acc);
      }
    }
    return;
  }
  const ph = h >> 1;
  const pw = w >> 1;
  const row = <usize>w * pixel;
  if ((h & 1) != 0 || (w & 1) != 0) {
    memory.fill(dz + <usize>(b0 * h) * row, 0, <usize>((b1 - b0) * h) * row);
  }
  for (let b = b0; b < b1; b++) {
    const y0 = y + <usize>(b * h) * row;
    const dz0 = dz + <usize>(b * h) * row;
    const dy0 = dy + <usize>(b * ph * pw) * pixel;
    for (let ch = 0; ch < c4; ch += 4) {
      let acc = f32x4.splat(0);
      const cOff = <usize>ch << 2;
      for (let i = 0; i < ph; i++) {
        for (let j = 0; j < pw; j++) {
          const top = <usize>(2 * i) * row + <usize>(2 * j) * pixel + cOff;
          const v00 = v128.load(y0 + top);
          const v01 = v128.load(y0 + top + pixel);
          const v10 = v128.load(y0 + top + row);
          const v11 = v128.load(y0 + top + row + pixel);
          const m = f32x4.max(f32x4.max(v00, v01), f32x4.max(v10, v11));
          const e00 = f32x4.eq(v00, m);
          let taken = e00;
          const e01 = v128.andnot(f32x4.eq(v01, m), taken);
          taken = v128.or(taken, e01);
          const e10 = v128.andnot(f32x4.eq(v10, m), taken);
          taken = v128.or(taken, e10);
          const e11 = v128.not(taken);
          const d = v128.load(dy0 + <usize>(i * pw + j) * pixel + cOff);
          const g00 = actGrad(v128.and(d, e00), v00, act);
          const g01 = actGrad(v128.and(d, e01), v01, act);
          const g10 = actGrad(v128.and(d, e10), v10, act);
          const g11 = actGrad(v128.and(d, e11), v11, act);
          v128.store(dz0 + top, g00);
          v128.store(dz0 + top + pixel, g01);
          v128.store(dz0 + top + row, g10);
          v128.store(dz0 + top + row + pixel, g11);
          acc = f32x4.add(acc, f32x4.add(f32x4.add(g00, g01), f32x4.add(g10, g11)));
        }
      }
      v128.store(db + cOff, f32x4.add(v128.load(db + cOff), acc));
    }
    for (let ch = c4; ch < c; ch++) {
      let acc: f32 = 0;
      const cOff = <usize>ch << 2;
      for (let i = 0; i < ph; i++) {
        for (let j = 0; j < pw; j++) {
          const top = <usize>(2 * i) * row + <usize>(2 * j) * pixel + cOff;
          let best: f32 = -Infinity;
          let at: usize = top;
          for (let r = 0; r < 2; r++) {
            for (let s = 0; s < 2; s++) {
              const p = top + <usize>r * row + <usize>s * pixel;
              const v = load<f32>(y0 + p);
              if (v > best) {
                best = v;
                at = p;
              }
              store<f32>(dz0 + p, 0);
            }
          }
          const g = actGradS(load<f32>(dy0 + <usize>(i * pw + j) * pixel + cOff), best, act);
          store<f32>(dz0 + at, g);
          acc += g;
        }
      }
      store<f32>(db + cOff, load<f32>(db + cOff) + acc);
    }
  }
}

/**
 * Filter gradient of a valid stride-1 conv over images b0 … b1−1: dW[kh, kw, i, o] = Σ_{n,y,x} x[n, y+kh, x+kw, i] ·
 * dz[n, y, x, o], x [n, h, w, ci], dz [n, h−k+1, w−k+1, co], dW [k, k, ci, co]. For a fixed kh
 * the (kw, i) pairs of one output row read one contiguous stretch of an input row, so dW is
 * computed as k GEMMs over rows r = kw·ci + i, in register tiles of 3 rows × 16 channels.
 */
export function t_filter_grad(
  x: usize,
  dz: usize,
  dw: usize,
  b0: i32,
  b1: i32,
  h: i32,
  w: i32,
  ci: i32,
  k: i32,
  co: i32,
): void {
  const oh = h - k + 1;
  const ow = w - k + 1;
  const R = k * ci;
  memory.fill(dw, 0, <usize>(k * R * co) << 2);
  const xStride = <usize>ci << 2;
  const xRowBytes = <usize>w * xStride;
  const zRowBytes = <usize>ow * (<usize>co << 2);
  // Per image and kh, each register tile sums over all of the image's output positions: the
  // image's x and dz (a few KiB) stay in L1 while dW's tiles are loaded and stored once.
  for (let b = b0; b < b1; b++) {
    const xImage = x + <usize>(b * h) * xRowBytes;
    const zImage = dz + <usize>(b * oh) * zRowBytes;
    for (let kh = 0; kh < k; kh++) {
      const xTop = xImage + <usize>kh * xRowBytes;
      const wK = dw + (<usize>(kh * R * co) << 2);
      let r = 0;
      for (; r + 3 <= R; r += 3) {
        filterRows3(xTop + (<usize>r << 2), zImage, wK, r, oh, ow, xStride, xRowBytes, co);
      }
      for (; r < R; r++) {
        filterRows1(xTop + (<usize>r << 2), zImage, wK, r, oh, ow, xStride, xRowBytes, co);
      }
    }
  }
}

// @ts-ignore: decorator
@inline
function filterRows3(
  xr: usize,
  zImage: usize,
  wK: usize,
  r: i32,
  oh: i32,
  ow: i32,
  xStride: usize,
  xRowBytes: usize,
  co: i32,
): void {
  const zStride = <usize>co << 2;
  const c16 = co & ~15;
  const c4 = co & ~3;
  const w0 = wK + (<usize>(r * co) << 2);
  const w1 = w0 + zStride;
  const w2 = w1 + zStride;
  let o = 0;
  for (; o < c16; o += 16) {
    const oo = <usize>o << 2;
    let a0 = v128.load(w0 + oo);
    let a1 = v128.load(w0 + oo, 16);
    let a2 = v128.load(w0 + oo, 32);
    let a3 = v128.load(w0 + oo, 48);
    let b0 = v128.load(w1 + oo);
    let b1 = v128.load(w1 + oo, 16);
    let b2 = v128.load(w1 + oo, 32);
    let b3 = v128.load(w1 + oo, 48);
    let c0 = v128.load(w2 + oo);
    let c1 = v128.load(w2 + oo, 16);
    let c2 = v128.load(w2 + oo, 32);
    let c3 = v128.load(w2 + oo, 48);
    let zp = zImage + oo;
    for (let yy = 0; yy < oh; yy++) {
      let xp = xr + <usize>yy * xRowBytes;
      for (let xx = 0; xx < ow; xx++, xp += xStride, zp += zStride) {
        const d0 = v128.load(zp);
        const d1 = v128.load(zp, 16);
        const d2 = v128.load(zp, 32);
        const d3 = v128.load(zp, 48);
        const s0 = v128.load32_splat(xp);
        const s1 = v128.load32_splat(xp, 4);
        const s2 = v128.load32_splat(xp, 8);
        a0 = madd(s0, d0, a0);
        a1 = madd(s0, d1, a1);
        a2 = madd(s0, d2, a2);
        a3 = madd(s0, d3, a3);
        b0 = madd(s1, d0, b0);
        b1 = madd(s1, d1, b1);
        b2 = madd(s1, d2, b2);
        b3 = madd(s1, d3, b3);
        c0 = madd(s2, d0, c0);
        c1 = madd(s2, d1, c1);
        c2 = madd(s2, d2, c2);
        c3 = madd(s2, d3, c3);
      }
    }
    v128.store(w0 + oo, a0);
    v128.store(w0 + oo, a1, 16);
    v128.store(w0 + oo, a2, 32);
    v128.store(w0 + oo, a3, 48);
    v128.store(w1 + oo, b0);
    v128.store(w1 + oo, b1, 16);
    v128.store(w1 + oo, b2, 32);
    v128.store(w1 + oo, b3, 48);
    v128.store(w2 + oo, c0);
    v128.store(w2 + oo, c1, 16);
    v128.store(w2 + oo, c2, 32);
    v128.store(w2 + oo, c3, 48);
  }
  for (; o < c4; o += 4) {
    const oo = <usize>o << 2;
    let a0 = v128.load(w0 + oo);
    let b0 = v128.load(w1 + oo);
    let c0 = v128.load(w2 + oo);
    let zp = zImage + oo;
    for (let yy = 0; yy < oh; yy++) {
      let xp = xr + <usize>yy * xRowBytes;
      for (let xx = 0; xx < ow; xx++, xp += xStride, zp += zStride) {
        const d0 = v128.load(zp);
        a0 = madd(v128.load32_splat(xp), d0, a0);
        b0 = madd(v128.load32_splat(xp, 4), d0, b0);
        c0 = madd(v128.load32_splat(xp, 8), d0, c0);
      }
    }
    v128.store(w0 + oo, a0);
    v128.store(w1 + oo, b0);
    v128.store(w2 + oo, c0);
  }
  for (; o < co; o++) {
    const oo = <usize>o << 2;
    let a: f32 = load<f32>(w0 + oo);
    let bb: f32 = load<f32>(w1 + oo);
    let c: f32 = load<f32>(w2 + oo);
    let zp = zImage + oo;
    for (let yy = 0; yy < oh; yy++) {
      let xp = xr + <usize>yy * xRowBytes;
      for (let xx = 0; xx < ow; xx++, xp += xStride, zp += zStride) {
        const d = load<f32>(zp);
        a = maddS(load<f32>(xp), d, a);
        bb = maddS(load<f32>(xp, 4), d, bb);
        c = maddS(load<f32>(xp, 8), d, c);
      }
    }
    store<f32>(w0 + oo, a);
    store<f32>(w1 + oo, bb);
    store<f32>(w2 + oo, c);
  }
}

// @ts-ignore: decorator
@inline
function filterRows1(
  xr: usize,
  zImage: usize,
  wK: usize,
  r: i32,
  oh: i32,
  ow: i32,
  xStride: usize,
  xRowBytes: usize,
  co: i32,
): void {
  const zStride = <usize>co << 2;
  const c4 = co & ~3;
  const w0 = wK + (<usize>(r * co) << 2);
  let o = 0;
  for (; o < c4; o += 4) {
    const oo = <usize>o << 2;
    let a0 = v128.load(w0 + oo);
    let zp = zImage + oo;
    for (let yy = 0; yy < oh; yy++) {
      let xp = xr + <usize>yy * xRowBytes;
      for (let xx = 0; xx < ow; xx++, xp += xStride, zp += zStride) {
        a0 = madd(v128.load32_splat(xp), v128.load(zp), a0);
      }
    }
    v128.store(w0 + oo, a0);
  }
  for (; o < co; o++) {
    const oo = <usize>o << 2;
    let a: f32 = load<f32>(w0 + oo);
    let zp = zImage + oo;
    for (let yy = 0; yy < oh; yy++) {
      let xp = xr + <usize>yy * xRowBytes;
      for (let xx = 0; xx < ow; xx++, xp += xStride, zp += zStride) {
        a = maddS(load<f32>(xp), load<f32>(zp), a);
      }
    }
    store<f32>(w0 + oo, a);
  }
}

/** wt[kh][o][r] = w[kh][r][o] with r = kw·ci + i: the filter laid out for t_input_grad. */
export function t_filter_transpose(wk: usize, wt: usize, k: i32, ci: i32, co: i32): void {
  const R = k * ci;
  for (let kh = 0; kh < k; kh++) {
    for (let r = 0; r < R; r++) {
      for (let o = 0; o < co; o++) {
        const src = wk + (<usize>((kh * R + r) * co + o) << 2);
        store<f32>(wt + (<usize>((kh * co + o) * R + r) << 2), load<f32>(src));
      }
    }
  }
}

/**
 * Input gradient of a valid stride-1 conv for images b0 … b1−1: dx[n, y+kh, x+kw, i] = Σ_{y,x,o} dz[n, y, x, o] ·
 * W[kh, kw, i, o], dz [n, oh, ow, co], wt from t_filter_transpose, dx [n, oh+k−1, ow+k−1, ci].
 * Two images at a time (their outputs never overlap), 16 input values per register tile.
 */
export function t_input_grad(
  dz: usize,
  wt: usize,
  dx: usize,
  b0: i32,
  b1: i32,
  oh: i32,
  ow: i32,
  co: i32,
  k: i32,
  ci: i32,
): void {
  const h = oh + k - 1;
  const w = ow + k - 1;
  const R = k * ci;
  const image = <usize>(h * w * ci) << 2;
  const zImage = <usize>(oh * ow * co) << 2;
  memory.fill(dx + <usize>b0 * image, 0, <usize>(b1 - b0) * image);
  const xStride = <usize>ci << 2;
  const zStride = <usize>co << 2;
  for (let b = b0; b < b1; b += 2) {
    const pair = b + 1 < b1;
    const dx0 = dx + <usize>b * image;
    const dz0 = dz + <usize>b * zImage;
    for (let yy = 0; yy < oh; yy++) {
        for (let kh = 0; kh < k; kh++) {
          const xRow = dx0 + <usize>((yy + kh) * w) * xStride;
          const wK = wt + (<usize>(kh * co * R) << 2);
          for (let xx = 0; xx < ow; xx++) {
            const zp = dz0 + <usize>(yy * ow + xx) * zStride;
            const xp = xRow + <usize>xx * xStride;
            if (pair) inputTiles2(zp, zp + zImage, wK, xp, xp + image, R, co);
            else inputTiles1(zp, wK, xp, R, co);
          }
        }
    }
  }
}

// @ts-ignore: decorator
@inline
function inputTiles2(z0: usize, z1: usize, wK: usize, x0: usize, x1: usize, R: i32, co: i32): void {
  const r16 = R & ~15;
  const r4 = R & ~3;
  const rStride = <usize>R << 2;
  let r = 0;
  for (; r < r16; r += 16) {
    const rr = <usize>r << 2;
    let a0 = v128.load(x0 + rr);
    let a1 = v128.load(x0 + rr, 16);
    let a2 = v128.load(x0 + rr, 32);
    let a3 = v128.load(x0 + rr, 48);
    let b0 = v128.load(x1 + rr);
    let b1 = v128.load(x1 + rr, 16);
    let b2 = v128.load(x1 + rr, 32);
    let b3 = v128.load(x1 + rr, 48);
    let wp = wK + rr;
    for (let o = 0; o < co; o++, wp += rStride) {
      const s0 = v128.load32_splat(z0 + (<usize>o << 2));
      const s1 = v128.load32_splat(z1 + (<usize>o << 2));
      const w0 = v128.load(wp);
      const w1 = v128.load(wp, 16);
      const w2 = v128.load(wp, 32);
      const w3 = v128.load(wp, 48);
      a0 = madd(s0, w0, a0);
      a1 = madd(s0, w1, a1);
      a2 = madd(s0, w2, a2);
      a3 = madd(s0, w3, a3);
      b0 = madd(s1, w0, b0);
      b1 = madd(s1, w1, b1);
      b2 = madd(s1, w2, b2);
      b3 = madd(s1, w3, b3);
    }
    v128.store(x0 + rr, a0);
    v128.store(x0 + rr, a1, 16);
    v128.store(x0 + rr, a2, 32);
    v128.store(x0 + rr, a3, 48);
    v128.store(x1 + rr, b0);
    v128.store(x1 + rr, b1, 16);
    v128.store(x1 + rr, b2, 32);
    v128.store(x1 + rr, b3, 48);
  }
  for (; r < r4; r += 4) {
    const rr = <usize>r << 2;
    let a0 = v128.load(x0 + rr);
    let b0 = v128.load(x1 + rr);
    let wp = wK + rr;
    for (let o = 0; o < co; o++, wp += rStride) {
      const w0 = v128.load(wp);
      a0 = madd(v128.load32_splat(z0 + (<usize>o << 2)), w0, a0);
      b0 = madd(v128.load32_splat(z1 + (<usize>o << 2)), w0, b0);
    }
    v128.store(x0 + rr, a0);
    v128.store(x1 + rr, b0);
  }
  for (; r < R; r++) {
    const rr = <usize>r << 2;
    let a: f32 = load<f32>(x0 + rr);
    let bb: f32 = load<f32>(x1 + rr);
    let wp = wK + rr;
    for (let o = 0; o < co; o++, wp += rStride) {
      const wv = load<f32>(wp);
      a = maddS(load<f32>(z0 + (<usize>o << 2)), wv, a);
      bb = maddS(load<f32>(z1 + (<usize>o << 2)), wv, bb);
    }
    store<f32>(x0 + rr, a);
    store<f32>(x1 + rr, bb);
  }
}

// @ts-ignore: decorator
@inline
function inputTiles1(z0: usize, wK: usize, x0: usize, R: i32, co: i32): void {
  const r4 = R & ~3;
  const rStride = <usize>R << 2;
  let r = 0;
  for (; r < r4; r += 4) {
    const rr = <usize>r << 2;
    let a0 = v128.load(x0 + rr);
    let wp = wK + rr;
    for (let o = 0; o < co; o++, wp += rStride) {
      a0 = madd(v128.load32_splat(z0 + (<usize>o << 2)), v128.load(wp), a0);
    }
    v128.store(x0 + rr, a0);
  }
  for (; r < R; r++) {
    const rr = <usize>r << 2;
    let a: f32 = load<f32>(x0 + rr);
    let wp = wK + rr;
    for (let o = 0; o < co; o++, wp += rStride) {
      a = maddS(load<f32>(z0 + (<usize>o << 2)), load<f32>(wp), a);
    }
    store<f32>(x0 + rr, a);
  }
}

/**
 * One Adam step over `count` values, op for op as tfjs's AdamOptimizer (each step rounded to
 * float32, so the result is the same bits): m' = m·β₁ + g·c₁, v' = v·β₂ + g²·c₂,
 * θ' = ((m'/a₁) / (√(v'/a₂) + ε))·(−lr) + θ, with c = 1 − β and a = 1 − β^t.
 */
export function t_adam(
  value: usize,
  grad: usize,
  m: usize,
  v: usize,
  outValue: usize,
  outM: usize,
  outV: usize,
  count: i32,
  beta1: f32,
  c1: f32,
  beta2: f32,
  c2: f32,
  a1: f32,
  a2: f32,
  eps: f32,
  negLr: f32,
): void {
  const B1 = f32x4.splat(beta1);
  const C1 = f32x4.splat(c1);
  const B2 = f32x4.splat(beta2);
  const C2 = f32x4.splat(c2);
  const A1 = f32x4.splat(a1);
  const A2 = f32x4.splat(a2);
  const E = f32x4.splat(eps);
  const L = f32x4.splat(negLr);
  const c4 = count & ~3;
  let i = 0;
  for (; i < c4; i += 4) {
    const o = <usize>i << 2;
    const g = v128.load(grad + o);
    const nm = f32x4.add(f32x4.mul(v128.load(m + o), B1), f32x4.mul(g, C1));
    const nv = f32x4.add(f32x4.mul(v128.load(v + o), B2), f32x4.mul(f32x4.mul(g, g), C2));
    const step = f32x4.div(f32x4.div(nm, A1), f32x4.add(f32x4.sqrt(f32x4.div(nv, A2)), E));
    v128.store(outValue + o, f32x4.add(f32x4.mul(step, L), v128.load(value + o)));
    v128.store(outM + o, nm);
    v128.store(outV + o, nv);
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    const g = load<f32>(grad + o);
    const nm: f32 = load<f32>(m + o) * beta1 + g * c1;
    const nv: f32 = load<f32>(v + o) * beta2 + g * g * c2;
    const step: f32 = nm / a1 / (Mathf.sqrt(nv / a2) + eps);
    store<f32>(outValue + o, step * negLr + load<f32>(value + o));
    store<f32>(outM + o, nm);
    store<f32>(outV + o, nv);
  }
}

// @ts-ignore: decorator
@inline
function activate(v: v128, act: i32): v128 {
  return act == ACT_RELU ? f32x4.max(v, f32x4.splat(0)) : v;
}

/**
 * Forward of a conv block for images b0 … b1−1: y = f(conv(x, W) + b), f ReLU or linear (tanh
 * and sigmoid would need exp's tables, and this module holds no data), valid, stride 1, W HWIO,
 * so W[kh] is an R × co matrix over r = kw·ci + i, like t_filter_grad; then, with `pooled`,
 * p = maxpool2×2(y). Register tiles of 3 output columns × 16 channels.
 */
export function t_conv_forward(
  x: usize,
  wk: usize,
  bias: usize,
  y: usize,
  p: usize,
  b0: i32,
  b1: i32,
  h: i32,
  w: i32,
  ci: i32,
  k: i32,
  co: i32,
  act: i32,
  pooled: i32,
): void {
  const oh = h - k + 1;
  const ow = w - k + 1;
  const R = k * ci;
  const xStride = <usize>ci << 2;
  const xRowBytes = <usize>w * xStride;
  const yStride = <usize>co << 2;
  const c16 = co & ~15;
  const c4 = co & ~3;
  for (let b = b0; b < b1; b++) {
    for (let yy = 0; yy < oh; yy++) {
      const xTop = x + <usize>(b * h + yy) * xRowBytes;
      const yRow = y + <usize>((b * oh + yy) * ow) * yStride;
      let o = 0;
      for (; o < c16; o += 16) {
        const oo = <usize>o << 2;
        let xx = 0;
        for (; xx + 3 <= ow; xx += 3) {
          convTile3x16(xTop + <usize>xx * xStride, wk + oo, bias + oo, yRow + <usize>xx * yStride + oo, k, R, ci, co, xRowBytes, act);
        }
        for (; xx < ow; xx++) {
          convTile1(xTop + <usize>xx * xStride, wk + oo, bias + oo, yRow + <usize>xx * yStride + oo, k, R, co, xRowBytes, 4, act);
        }
      }
      for (; o < c4; o += 4) {
        const oo = <usize>o << 2;
        for (let xx = 0; xx < ow; xx++) {
          convTile1(xTop + <usize>xx * xStride, wk + oo, bias + oo, yRow + <usize>xx * yStride + oo, k, R, co, xRowBytes, 1, act);
        }
      }
      for (; o < co; o++) {
        const oo = <usize>o << 2;
        for (let xx = 0; xx < ow; xx++) {
          let acc: f32 = load<f32>(bias + oo);
          for (let kh = 0; kh < k; kh++) {
            const xr = xTop + <usize>kh * xRowBytes + <usize>xx * xStride;
            const wr = wk + (<usize>(kh * R * co) << 2) + oo;
            for (let r = 0; r < R; r++) {
              acc = maddS(load<f32>(xr + (<usize>r << 2)), load<f32>(wr + <usize>r * yStride), acc);
            }
          }
          if (act == ACT_RELU && acc < 0) acc = 0;
          store<f32>(yRow + <usize>xx * yStride + oo, acc);
        }
      }
    }
    if (pooled) poolImage(y + <usize>(b * oh * ow) * yStride, p + <usize>(b * (oh >> 1) * (ow >> 1)) * yStride, oh, ow, co);
  }
}

// @ts-ignore: decorator
@inline
function convTile3x16(
  xp: usize,
  wp: usize,
  bp: usize,
  yp: usize,
  k: i32,
  R: i32,
  ci: i32,
  co: i32,
  xRowBytes: usize,
  act: i32,
): void {
  const xStride = <usize>ci << 2;
  const wStride = <usize>co << 2;
  let a0 = v128.load(bp);
  let a1 = v128.load(bp, 16);
  let a2 = v128.load(bp, 32);
  let a3 = v128.load(bp, 48);
  let b0 = a0;
  let b1 = a1;
  let b2 = a2;
  let b3 = a3;
  let c0 = a0;
  let c1 = a1;
  let c2 = a2;
  let c3 = a3;
  for (let kh = 0; kh < k; kh++) {
    let x0 = xp + <usize>kh * xRowBytes;
    let wr = wp + <usize>(kh * R) * wStride;
    for (let r = 0; r < R; r++, x0 += 4, wr += wStride) {
      const s0 = v128.load32_splat(x0);
      const s1 = v128.load32_splat(x0 + xStride);
      const s2 = v128.load32_splat(x0 + 2 * xStride);
      const w0 = v128.load(wr);
      const w1 = v128.load(wr, 16);
      const w2 = v128.load(wr, 32);
      const w3 = v128.load(wr, 48);
      a0 = madd(s0, w0, a0);
      a1 = madd(s0, w1, a1);
      a2 = madd(s0, w2, a2);
      a3 = madd(s0, w3, a3);
      b0 = madd(s1, w0, b0);
      b1 = madd(s1, w1, b1);
      b2 = madd(s1, w2, b2);
      b3 = madd(s1, w3, b3);
      c0 = madd(s2, w0, c0);
      c1 = madd(s2, w1, c1);
      c2 = madd(s2, w2, c2);
      c3 = madd(s2, w3, c3);
    }
  }
  const y1 = yp + wStride;
  const y2 = y1 + wStride;
  v128.store(yp, activate(a0, act));
  v128.store(yp, activate(a1, act), 16);
  v128.store(yp, activate(a2, act), 32);
  v128.store(yp, activate(a3, act), 48);
  v128.store(y1, activate(b0, act));
  v128.store(y1, activate(b1, act), 16);
  v128.store(y1, activate(b2, act), 32);
  v128.store(y1, activate(b3, act), 48);
  v128.store(y2, activate(c0, act));
  v128.store(y2, activate(c1, act), 16);
  v128.store(y2, activate(c2, act), 32);
  v128.store(y2, activate(c3, act), 48);
}

/** One output column, `vectors` (4 or 1) × 4 channels. */
// @ts-ignore: decorator
@inline
function convTile1(
  xp: usize,
  wp: usize,
  bp: usize,
  yp: usize,
  k: i32,
  R: i32,
  co: i32,
  xRowBytes: usize,
  vectors: i32,
  act: i32,
): void {
  const wStride = <usize>co << 2;
  let a0 = v128.load(bp);
  let a1 = vectors > 1 ? v128.load(bp, 16) : a0;
  let a2 = vectors > 1 ? v128.load(bp, 32) : a0;
  let a3 = vectors > 1 ? v128.load(bp, 48) : a0;
  for (let kh = 0; kh < k; kh++) {
    let x0 = xp + <usize>kh * xRowBytes;
    let wr = wp + <usize>(kh * R) * wStride;
    for (let r = 0; r < R; r++, x0 += 4, wr += wStride) {
      const s0 = v128.load32_splat(x0);
      a0 = madd(s0, v128.load(wr), a0);
      if (vectors > 1) {
        a1 = madd(s0, v128.load(wr, 16), a1);
        a2 = madd(s0, v128.load(wr, 32), a2);
        a3 = madd(s0, v128.load(wr, 48), a3);
      }
    }
  }
  v128.store(yp, activate(a0, act));
  if (vectors > 1) {
    v128.store(yp, activate(a1, act), 16);
    v128.store(yp, activate(a2, act), 32);
    v128.store(yp, activate(a3, act), 48);
  }
}

/** p = maxpool2×2 (stride 2, valid) of one image y [h, w, c]. */
function poolImage(y: usize, p: usize, h: i32, w: i32, c: i32): void {
  const pixel = <usize>c << 2;
  const row = <usize>w * pixel;
  const c4 = c & ~3;
  let out = p;
  for (let i = 0; i < h >> 1; i++) {
    for (let j = 0; j < w >> 1; j++) {
      const top = y + <usize>(2 * i) * row + <usize>(2 * j) * pixel;
      let ch = 0;
      for (; ch < c4; ch += 4, out += 16) {
        const q = top + (<usize>ch << 2);
        const m0 = f32x4.max(v128.load(q), v128.load(q + pixel));
        const m1 = f32x4.max(v128.load(q + row), v128.load(q + row + pixel));
        v128.store(out, f32x4.max(m0, m1));
      }
      for (; ch < c; ch++, out += 4) {
        const q = top + (<usize>ch << 2);
        store<f32>(out, max(max(load<f32>(q), load<f32>(q + pixel)), max(load<f32>(q + row), load<f32>(q + row + pixel))));
      }
    }
  }
}
