// CSR kernels of the float engine: per output channel its non-zeros (input offset, value), SIMD
// over pixels (conv: consecutive output columns of a channel-major copy of the input; dense: rows of
// the transposed input), so the work is proportional to the non-zeros.
import { alloc } from './memory';
import { FOp, madd } from './float-op';

const TMP: usize = memory.data(64, 16);

/** CSR over output channels: rowStart[c]…rowStart[c+1] index (offset, value) pairs. */
export function packCsr(op: FOp, kernel: usize): bool {
  const K = op.kh * op.kw * op.c;
  let nnz = 0;
  for (let i = 0; i < K * op.outC; i++) if (load<f32>(kernel + (<usize>i << 2)) != 0) nnz++;
  op.rowStart = alloc(<usize>(op.outC + 1) << 2);
  op.offsets = alloc(<usize>max(nnz, 1) << 2);
  op.values = alloc(<usize>max(nnz, 1) << 2);
  if (op.rowStart == 0 || op.offsets == 0 || op.values == 0) return false;
  const L = op.kw * op.c;
  let n = 0;
  for (let ch = 0; ch < op.outC; ch++) {
    store<i32>(op.rowStart + (<usize>ch << 2), n);
    for (let k = 0; k < K; k++) {
      const v = load<f32>(kernel + (<usize>(k * op.outC + ch) << 2));
      if (v == 0) continue;
      let off = k;
      if (op.conv) {
        const dy = k / L;
        const dx = (k % L) / op.c;
        const ci = k % op.c;
        off = (ci * op.h + dy) * op.w + dx;
      }
      store<i32>(op.offsets + (<usize>n << 2), off);
      store<f32>(op.values + (<usize>n << 2), v);
      n++;
    }
  }
  store<i32>(op.rowStart + (<usize>op.outC << 2), n);
  return true;
}


/**
 * Σ over channel c's non-zeros of w·x[base + off·unit] (bytes) for 4·V consecutive lanes (V = 1, 2
 * or 4), plus bias and ReLU; lane l goes to dst + l·stride (bytes), `count` lanes, or with stride 4
 * all 4·V lanes as vectors.
 */
function csrLanes(op: FOp, ch: i32, base: usize, unit: usize, V: i32, dst: usize, stride: usize, count: i32): void {
  const start = load<i32>(op.rowStart + (<usize>ch << 2));
  const end = load<i32>(op.rowStart + (<usize>(ch + 1) << 2));
  const b = f32x4.splat(load<f32>(op.bias + (<usize>ch << 2)));
  let a0 = b;
  let a1 = b;
  let a2 = b;
  let a3 = b;
  let offs = op.offsets + (<usize>start << 2);
  let vals = op.values + (<usize>start << 2);
  const offsEnd = op.offsets + (<usize>end << 2);
  if (V == 4) {
    while (offs < offsEnd) {
      const p = base + <usize>load<i32>(offs) * unit;
      const wv = v128.load32_splat(vals);
      a0 = madd(wv, v128.load(p), a0);
      a1 = madd(wv, v128.load(p, 16), a1);
      a2 = madd(wv, v128.load(p, 32), a2);
      a3 = madd(wv, v128.load(p, 48), a3);
      offs += 4;
      vals += 4;
    }
  } else if (V == 2) {
    while (offs < offsEnd) {
      const p = base + <usize>load<i32>(offs) * unit;
      const wv = v128.load32_splat(vals);
      a0 = madd(wv, v128.load(p), a0);
      a1 = madd(wv, v128.load(p, 16), a1);
      offs += 4;
      vals += 4;
    }
  } else {
    while (offs < offsEnd) {
      const p = base + <usize>load<i32>(offs) * unit;
      a0 = madd(v128.load32_splat(vals), v128.load(p), a0);
      offs += 4;
      vals += 4;
    }
  }
  if (op.relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.pmax(a0, zero);
    a1 = f32x4.pmax(a1, zero);
    a2 = f32x4.pmax(a2, zero);
    a3 = f32x4.pmax(a3, zero);
  }
  if (stride == 4) {
    // Contiguous lanes (a conv plane, padded to whole passes): the vectors themselves.
    v128.store(dst, a0);
    if (V > 1) v128.store(dst, a1, 16);
    if (V > 2) {
      v128.store(dst, a2, 32);
      v128.store(dst, a3, 48);
    }
    return;
  }
  v128.store(TMP, a0);
  v128.store(TMP, a1, 16);
  v128.store(TMP, a2, 32);
  v128.store(TMP, a3, 48);
  let o = dst;
  for (let l = 0; l < count; l++) {
    store<f32>(o, load<f32>(TMP + (<usize>l << 2)));
    o += stride;
  }
}

/** Lanes per pass for `left` remaining outputs: 16, 8 or 4. */
// @ts-ignore: decorator
@inline
function vectorsFor(left: i32): i32 {
  return left >= 16 ? 4 : left > 4 ? 2 : 1;
}

/**
 * Σ over channel c's non-zeros of w·x[base + off] for 32 consecutive lanes, plus bias and ReLU,
 * stored as 8 vectors at dst (the caller's plane has room for them).
 */
function csrWide(op: FOp, ch: i32, base: usize, dst: usize): void {
  const start = load<i32>(op.rowStart + (<usize>ch << 2));
  const end = load<i32>(op.rowStart + (<usize>(ch + 1) << 2));
  const b = f32x4.splat(load<f32>(op.bias + (<usize>ch << 2)));
  let a0 = b;
  let a1 = b;
  let a2 = b;
  let a3 = b;
  let a4 = b;
  let a5 = b;
  let a6 = b;
  let a7 = b;
  let offs = op.offsets + (<usize>start << 2);
  let vals = op.values + (<usize>start << 2);
  const offsEnd = op.offsets + (<usize>end << 2);
  while (offs < offsEnd) {
    const p = base + (<usize>load<i32>(offs) << 2);
    const wv = v128.load32_splat(vals);
    a0 = madd(wv, v128.load(p), a0);
    a1 = madd(wv, v128.load(p, 16), a1);
    a2 = madd(wv, v128.load(p, 32), a2);
    a3 = madd(wv, v128.load(p, 48), a3);
    a4 = madd(wv, v128.load(p, 64), a4);
    a5 = madd(wv, v128.load(p, 80), a5);
    a6 = madd(wv, v128.load(p, 96), a6);
    a7 = madd(wv, v128.load(p, 112), a7);
    offs += 4;
    vals += 4;
  }
  if (op.relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.pmax(a0, zero);
    a1 = f32x4.pmax(a1, zero);
    a2 = f32x4.pmax(a2, zero);
    a3 = f32x4.pmax(a3, zero);
    a4 = f32x4.pmax(a4, zero);
    a5 = f32x4.pmax(a5, zero);
    a6 = f32x4.pmax(a6, zero);
    a7 = f32x4.pmax(a7, zero);
  }
  v128.store(dst, a0);
  v128.store(dst, a1, 16);
  v128.store(dst, a2, 32);
  v128.store(dst, a3, 48);
  v128.store(dst, a4, 64);
  v128.store(dst, a5, 80);
  v128.store(dst, a6, 96);
  v128.store(dst, a7, 112);
}

// @ts-ignore: decorator
@inline
function transpose4(src: usize, srcStride: usize, dst: usize, dstStride: usize): void {
  const r0 = v128.load(src);
  const r1 = v128.load(src + srcStride);
  const r2 = v128.load(src + 2 * srcStride);
  const r3 = v128.load(src + 3 * srcStride);
  const t0 = i32x4.shuffle(r0, r1, 0, 4, 1, 5);
  const t1 = i32x4.shuffle(r2, r3, 0, 4, 1, 5);
  const t2 = i32x4.shuffle(r0, r1, 2, 6, 3, 7);
  const t3 = i32x4.shuffle(r2, r3, 2, 6, 3, 7);
  v128.store(dst, i32x4.shuffle(t0, t1, 0, 1, 4, 5));
  v128.store(dst + dstStride, i32x4.shuffle(t0, t1, 2, 3, 6, 7));
  v128.store(dst + 2 * dstStride, i32x4.shuffle(t2, t3, 0, 1, 4, 5));
  v128.store(dst + 3 * dstStride, i32x4.shuffle(t2, t3, 2, 3, 6, 7));
}

/**
 * dst[j][i] = src[i][j] for i < rows, j < cols (f32; rows srcStride / dstStride bytes apart): 4×4
 * blocks of shuffles where rows, cols ≥ 4 (a last block that would run past the end overlaps the one
 * before it instead, rewriting the same values), else one value at a time.
 */
function transpose(src: usize, srcStride: usize, rows: i32, cols: i32, dst: usize, dstStride: usize): void {
  if (rows < 4 || cols < 4) {
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        store<f32>(dst + <usize>j * dstStride + (<usize>i << 2), load<f32>(src + <usize>i * srcStride + (<usize>j << 2)));
      }
    }
    return;
  }
  for (let i = 0; i < rows; i += 4) {
    const i0 = <usize>min(i, rows - 4);
    for (let j = 0; j < cols; j += 4) {
      const j0 = <usize>min(j, cols - 4);
      transpose4(src + i0 * srcStride + (j0 << 2), srcStride, dst + j0 * dstStride + (i0 << 2), dstStride);
    }
  }
}

/**
 * plane[py·pw + px] = max of the 2×2 window at (2py, 2px) of a plane whose rows are w lanes apart,
 * 4 pooled lanes per step. In place: each step reads its two source rows before it writes, and
 * writes stay behind every source lane still to be read (py·pw + px + 3 < (2py + 1)·w + 2px).
 */
function poolPlane(plane: usize, w: i32, ph: i32, pw: i32): void {
  const rowBytes = <usize>w << 2;
  for (let py = 0; py < ph; py++) {
    const top = plane + <usize>(2 * py) * rowBytes;
    const out = plane + (<usize>(py * pw) << 2);
    for (let px = 0; px < pw; px += 4) {
      const p = top + (<usize>(2 * px) << 2);
      const r0 = f32x4.pmax(v128.load(p), v128.load(p + rowBytes));
      const r1 = f32x4.pmax(v128.load(p, 16), v128.load(p + rowBytes, 16));
      const even = i32x4.shuffle(r0, r1, 0, 2, 4, 6);
      const odd = i32x4.shuffle(r0, r1, 1, 3, 5, 7);
      v128.store(out + (<usize>px << 2), f32x4.pmax(even, odd));
    }
  }
}

/**
 * CSR conv, one example at a time: a channel-major copy of the input; per output channel the
 * "wide" plane of oh × w outputs (the kw − 1 columns past each row's end are computed and
 * dropped), so pixel p reads input p + offset: 32 pixels per pass over the non-zeros, then 16, 8
 * or 4 for the plane's rest; then the planes are transposed into NHWC (pooled first when a 2×2
 * pool follows: op.pool).
 */
export function runCsrConv(op: FOp, src: usize, dst: usize, batch: i32, bufT: usize, bufW: usize): void {
  const hw = op.h * op.w;
  const inFloats = hw * op.c;
  const plane = op.oh * op.w;
  const planeStride = <usize>((plane + 31) & ~31) << 2;
  const outPixel = <usize>op.outC << 2;
  for (let b = 0; b < batch; b++) {
    const x = src + (<usize>(b * inFloats) << 2);
    if (op.c == 1) memory.copy(bufT, x, <usize>hw << 2);
    else transpose(x, <usize>op.c << 2, hw, op.c, bufT, <usize>hw << 2);
    for (let ch = 0; ch < op.outC; ch++) {
      const out = bufW + <usize>ch * planeStride;
      let p = 0;
      for (; p + 32 <= plane; p += 32) csrWide(op, ch, bufT + (<usize>p << 2), out + (<usize>p << 2));
      while (p < plane) {
        const V = vectorsFor(plane - p);
        csrLanes(op, ch, bufT + (<usize>p << 2), 4, V, out + (<usize>p << 2), 4, V * 4);
        p += V * 4;
      }
    }
    if (op.pool) {
      // 2×2 max pool on the planes, each pooled in place, then one transpose into NHWC.
      const ph = op.oh >> 1;
      const pw = op.ow >> 1;
      for (let ch = 0; ch < op.outC; ch++) poolPlane(bufW + <usize>ch * planeStride, op.w, ph, pw);
      const po = dst + (<usize>(b * ph * pw) * outPixel);
      transpose(bufW, planeStride, op.outC, ph * pw, po, outPixel);
      continue;
    }
    const o = dst + (<usize>(b * op.oh * op.ow) * outPixel);
    for (let oy = 0; oy < op.oh; oy++) {
      // Channel-major row oy (ow pixels of outC planes) → its ow pixels × outC channels.
      const row = bufW + (<usize>(oy * op.w) << 2);
      transpose(row, planeStride, op.outC, op.ow, o + <usize>(oy * op.ow) * outPixel, outPixel);
    }
  }
}

/** CSR dense: rows transposed to [k][rows], then per channel 16, 8 or 4 rows per pass. */
export function runCsrDense(op: FOp, src: usize, dst: usize, batch: i32, bufT: usize): void {
  const rows = batch * op.h;
  const K = op.c;
  const padded = (rows + 3) & ~3;
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) {
      store<f32>(bufT + (<usize>(k * padded + r) << 2), load<f32>(src + (<usize>(r * K + k) << 2)));
    }
  }
  const outStride = <usize>op.outC << 2;
  for (let ch = 0; ch < op.outC; ch++) {
    let r = 0;
    while (r < rows) {
      const V = vectorsFor(rows - r);
      const count = min(V * 4, rows - r);
      const o = dst + <usize>r * outStride + (<usize>ch << 2);
      csrLanes(op, ch, bufT + (<usize>r << 2), <usize>padded << 2, V, o, outStride, count);
      r += count;
    }
  }
}

