// The float engine for pruned (or plain) float models: dense / conv (valid, stride 1, HWIO) with
// bias and ReLU, 2×2 max pool, flatten, a whole model per f_run call. Each weight layer holds both
// forms and runs one, chosen per layer (f_set_mode):
//   dense: weights packed [tile of 16 channels][k][16], SIMD over output channels;
//   CSR:   per output channel the non-zeros (input offset, value), SIMD over pixels, so the work
//          is proportional to the non-zeros (float-csr.ts).
import { SLACK, alignUp, alloc, scratch } from './memory';
import { FOp, MAX_OPS, OP_GEMM, OP_POOL, TILE, madd } from './float-op';
import { packCsr, runCsrConv, runCsrDense } from './float-csr';

export const MODE_DENSE: i32 = 1;
export const MODE_CSR: i32 = 2;

let ops: usize = 0;
let opCount: i32 = 0;
let inFeatures: i32 = 0;
let maxActFloats: i32 = 0;
let maxChw: i32 = 0;
/** Largest outC · oh · w of a CSR conv: its channel-major "wide" output plane. */
let maxWide: i32 = 0;
let outFeatures: i32 = 0;
let bufA: usize = 0;
let bufB: usize = 0;
let bufT: usize = 0;
let bufW: usize = 0;
let bufOut: usize = 0;
const TMP: usize = memory.data(64, 16);

function opAt(i: i32): FOp {
  return changetype<FOp>(load<usize>(ops + (<usize>i << alignof<usize>())));
}

/** Starts a float model with `features` input values per example. */
export function f_begin(features: i32): bool {
  ops = alloc(<usize>MAX_OPS << alignof<usize>());
  opCount = 0;
  inFeatures = features;
  maxActFloats = features;
  maxChw = 0;
  maxWide = 0;
  outFeatures = 0;
  return ops != 0;
}

function pushOp(op: FOp): bool {
  if (opCount >= MAX_OPS) return false;
  store<usize>(ops + (<usize>opCount << alignof<usize>()), changetype<usize>(op));
  opCount++;
  return true;
}

function packDense(op: FOp, kernel: usize): usize {
  const K = op.kh * op.kw * op.c;
  const dst = alloc(<usize>(op.tiles * K) * 64);
  if (dst == 0) return 0;
  let o = dst;
  for (let t = 0; t < op.tiles; t++) {
    for (let k = 0; k < K; k++) {
      for (let j = 0; j < TILE; j++) {
        const ch = t * TILE + j;
        store<f32>(o, ch < op.outC ? load<f32>(kernel + (<usize>(k * op.outC + ch) << 2)) : 0);
        o += 4;
      }
    }
  }
  return dst;
}

/**
 * Adds a conv (conv = 1: valid, stride 1, HWIO kernel [kh, kw, c, outC]) or dense layer (conv = 0:
 * h = rows per example, w = kh = kw = 1, kernel [c, outC]) with f32 bias and optional ReLU.
 * mode: MODE_DENSE or MODE_CSR. Returns false when memory cannot grow.
 */
export function f_layer(
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  outC: i32,
  kernel: usize,
  bias: usize,
  relu: bool,
  mode: i32,
): bool {
  const op = changetype<FOp>(alloc(offsetof<FOp>()));
  if (changetype<usize>(op) == 0) return false;
  op.kind = OP_GEMM;
  op.h = h;
  op.w = w;
  op.c = c;
  op.kh = kh;
  op.kw = kw;
  op.outC = outC;
  op.oh = h - kh + 1;
  op.ow = w - kw + 1;
  op.tiles = (outC + TILE - 1) / TILE;
  op.relu = relu ? 1 : 0;
  op.mode = mode;
  op.conv = kh > 1 || kw > 1 || w > 1 ? 1 : 0;
  op.packed = packDense(op, kernel);
  op.bias = alloc(<usize>(op.tiles * TILE) << 2);
  if (op.packed == 0 || op.bias == 0 || !packCsr(op, kernel)) return false;
  memory.copy(op.bias, bias, <usize>outC << 2);
  const inFloats = h * w * c;
  if (op.conv && inFloats > maxChw) maxChw = inFloats;
  const wide = outC * ((op.oh * w + 31) & ~31);
  if (op.conv && wide > maxWide) maxWide = wide;
  const outFloats = op.oh * op.ow * outC;
  if (outFloats > maxActFloats) maxActFloats = outFloats;
  outFeatures = outFloats;
  return pushOp(op);
}

/** Adds a 2×2 stride-2 max pool over an h × w × c input. */
export function f_pool(h: i32, w: i32, c: i32): bool {
  const op = changetype<FOp>(alloc(offsetof<FOp>()));
  if (changetype<usize>(op) == 0) return false;
  op.kind = OP_POOL;
  op.h = h;
  op.w = w;
  op.c = c;
  op.oh = h >> 1;
  op.ow = w >> 1;
  outFeatures = op.oh * op.ow * c;
  if (opCount > 0) {
    const prev = opAt(opCount - 1);
    if (prev.kind == OP_GEMM && prev.conv && prev.oh == h && prev.ow == w && prev.outC == c) {
      prev.pool = 1;
    }
  }
  return pushOp(op);
}

/** Switches weight layer `index` (op index) to MODE_DENSE or MODE_CSR. */
export function f_set_mode(index: i32, mode: i32): bool {
  if (index < 0 || index >= opCount) return false;
  const op = opAt(index);
  if (op.kind != OP_GEMM || (mode != MODE_DENSE && mode != MODE_CSR)) return false;
  op.mode = mode;
  return true;
}

/** Lays out scratch for `batch` examples; returns where the host writes the f32 input (0: no memory). */
export function f_input(batch: i32): usize {
  const b = <usize>batch;
  const act = alignUp((b * <usize>maxActFloats + 16) * 4 + SLACK);
  // Transposes: one example channel-major (CSR conv) or the batch's rows transposed (CSR dense).
  const t = alignUp((max(<usize>maxChw, b * <usize>maxActFloats + 16 * <usize>maxActFloats) + 64) * 4 + SLACK);
  const wide = alignUp((<usize>maxWide + 64) * 4 + SLACK);
  const start = scratch(2 * act + t + wide);
  if (start == 0) return 0;
  bufA = start;
  bufB = bufA + act;
  bufT = bufB + act;
  bufW = bufT + t;
  return bufA;
}

/** Output values per example. */
export function f_output_size(): i32 {
  return outFeatures;
}

function storeTile(op: FOp, dst: usize, c0: i32, a0: v128, a1: v128, a2: v128, a3: v128): void {
  if (op.relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.pmax(a0, zero);
    a1 = f32x4.pmax(a1, zero);
    a2 = f32x4.pmax(a2, zero);
    a3 = f32x4.pmax(a3, zero);
  }
  const valid = min(TILE, op.outC - c0);
  const p = dst + (<usize>c0 << 2);
  if (valid == TILE) {
    v128.store(p, a0);
    v128.store(p, a1, 16);
    v128.store(p, a2, 32);
    v128.store(p, a3, 48);
    return;
  }
  v128.store(TMP, a0);
  v128.store(TMP, a1, 16);
  v128.store(TMP, a2, 32);
  v128.store(TMP, a3, 48);
  memory.copy(p, TMP, <usize>valid << 2);
}

function denseTile2(op: FOp, t: i32, wp: usize, x0: usize, x1: usize, o0: usize, o1: usize): void {
  const bias = op.bias + (<usize>t << 6);
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, 16);
  let a2 = v128.load(bias, 32);
  let a3 = v128.load(bias, 48);
  let b0 = a0;
  let b1 = a1;
  let b2 = a2;
  let b3 = a3;
  const rowStride = <usize>(op.w * op.c) << 2;
  const L = op.kw * op.c;
  for (let dy = 0; dy < op.kh; dy++) {
    let p0 = x0 + <usize>dy * rowStride;
    let p1 = x1 + <usize>dy * rowStride;
    for (let k = 0; k < L; k++) {
      const v0 = v128.load32_splat(p0);
      const v1 = v128.load32_splat(p1);
      const w0 = v128.load(wp);
      const w1 = v128.load(wp, 16);
      const w2 = v128.load(wp, 32);
      const w3 = v128.load(wp, 48);
      a0 = madd(v0, w0, a0);
      a1 = madd(v0, w1, a1);
      a2 = madd(v0, w2, a2);
      a3 = madd(v0, w3, a3);
      b0 = madd(v1, w0, b0);
      b1 = madd(v1, w1, b1);
      b2 = madd(v1, w2, b2);
      b3 = madd(v1, w3, b3);
      wp += 64;
      p0 += 4;
      p1 += 4;
    }
  }
  storeTile(op, o0, t * TILE, a0, a1, a2, a3);
  storeTile(op, o1, t * TILE, b0, b1, b2, b3);
}

function denseTile1(op: FOp, t: i32, wp: usize, x0: usize, o0: usize): void {
  const bias = op.bias + (<usize>t << 6);
  let a0 = v128.load(bias);
  let a1 = v128.load(bias, 16);
  let a2 = v128.load(bias, 32);
  let a3 = v128.load(bias, 48);
  const rowStride = <usize>(op.w * op.c) << 2;
  const L = op.kw * op.c;
  for (let dy = 0; dy < op.kh; dy++) {
    let p0 = x0 + <usize>dy * rowStride;
    for (let k = 0; k < L; k++) {
      const v0 = v128.load32_splat(p0);
      a0 = madd(v0, v128.load(wp), a0);
      a1 = madd(v0, v128.load(wp, 16), a1);
      a2 = madd(v0, v128.load(wp, 32), a2);
      a3 = madd(v0, v128.load(wp, 48), a3);
      wp += 64;
      p0 += 4;
    }
  }
  storeTile(op, o0, t * TILE, a0, a1, a2, a3);
}

/** Dense form: y[p, c] = b[c] + Σ_k x[p, k]·W[k, c] over every output pixel p, 2 pixels × 16 channels at a time. */
function runDense(op: FOp, src: usize, dst: usize, batch: i32): void {
  const pixels = batch * op.oh * op.ow;
  const outStride = <usize>op.outC << 2;
  const K = op.kh * op.kw * op.c;
  const c4 = <usize>op.c << 2;
  for (let t = 0; t < op.tiles; t++) {
    const wt = op.packed + <usize>(t * K) * 64;
    let b = 0;
    let y = 0;
    let x = 0;
    let p = 0;
    while (p < pixels) {
      const x0 = src + <usize>((b * op.h + y) * op.w + x) * c4;
      if (++x == op.ow) {
        x = 0;
        if (++y == op.oh) {
          y = 0;
          b++;
        }
      }
      const o0 = dst + <usize>p * outStride;
      if (p + 1 == pixels) {
        denseTile1(op, t, wt, x0, o0);
        p++;
        continue;
      }
      const x1 = src + <usize>((b * op.h + y) * op.w + x) * c4;
      if (++x == op.ow) {
        x = 0;
        if (++y == op.oh) {
          y = 0;
          b++;
        }
      }
      denseTile2(op, t, wt, x0, x1, o0, o0 + outStride);
      p += 2;
    }
  }
}

/** 2×2 max pool, stride 2, valid, f32 NHWC; each pixel's 4-lane spill is overwritten by the next. */
function poolFloats(op: FOp, src: usize, dst: usize, batch: i32): void {
  const c = <usize>op.c << 2;
  const rowBytes = <usize>op.w * c;
  let o = dst;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < op.oh; y++) {
      let p = src + (<usize>(b * op.h + 2 * y) * <usize>op.w) * c;
      for (let x = 0; x < op.ow; x++) {
        for (let k: usize = 0; k < c; k += 16) {
          const m0 = f32x4.pmax(v128.load(p + k), v128.load(p + c + k));
          const m1 = f32x4.pmax(v128.load(p + rowBytes + k), v128.load(p + rowBytes + c + k));
          v128.store(o + k, f32x4.pmax(m0, m1));
        }
        p += 2 * c;
        o += c;
      }
    }
  }
}

/** The op is a CSR conv that pools as it writes (its pool op, next, is then skipped). */
// @ts-ignore: decorator
@inline
function poolsInside(op: FOp): bool {
  return op.kind == OP_GEMM && op.mode == MODE_CSR && op.conv != 0 && op.pool != 0;
}

function runOp(op: FOp, src: usize, dst: usize, batch: i32): void {
  if (op.kind == OP_POOL) poolFloats(op, src, dst, batch);
  else if (op.mode == MODE_DENSE) runDense(op, src, dst, batch);
  else if (op.conv) runCsrConv(op, src, dst, batch, bufT, bufW);
  else runCsrDense(op, src, dst, batch, bufT);
}

/** Runs the whole model on the `batch` examples at f_input's pointer; returns the outputs' pointer. */
export function f_run(batch: i32): usize {
  let src = bufA;
  let dst = bufB;
  for (let i = 0; i < opCount; i++) {
    const op = opAt(i);
    runOp(op, src, dst, batch);
    const swap = src;
    src = dst;
    dst = swap;
    if (poolsInside(op)) i++;
  }
  bufOut = src;
  return bufOut;
}

/** Runs op `index` alone from buffer A into buffer B (for the host's per-layer timings). */
export function f_run_op(index: i32, batch: i32): bool {
  if (index < 0 || index >= opCount) return false;
  runOp(opAt(index), bufA, bufB, batch);
  return true;
}
