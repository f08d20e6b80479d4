// The int8 engine: a whole converted integer model (quantize input → conv / dense with fused
// requantization → 2×2 max pool → … → dequantized logits) run by one call, i8_run.
//
// Activations are stored as their uint8 codes q (0..255). Weights are int8 w8 = (q_w − z_w) − d_c,
// d_c a per-channel offset that is 0 unless an asymmetric channel needs it to fit int8. Each
// accumulator is the exact integer of the JS reference, computed mod 2^32:
//   acc = q_b + Σ (q_x − z_x)(w8 + d_c) = [q_b − z_x·Σ w8] + Σ q_x·w8 + d_c·Σ (q_x − z_x),
// and equals int32 accumulation because the caller only sends models with accumulatorBits ≤ 32.
// Products: relaxed SIMD i32x4.relaxed_dot_i8x16_i7x16_add_s(w8, q_x) where q_x is the 7-bit
// operand, so it is exact only for codes 0..127; 8-bit codes are split q = lo + 128·hi
// (lo = q & 127, hi = q >> 7, both 7-bit) or run on the fixed-SIMD kernel, i32x4.dot_i16x8_s over
// codes and weights widened to int16. Every path gives the same integers, hence the same codes.
import { SLACK, alignUp, alloc, scratch } from './memory';
import { packFixed, packPaired, packRelaxed, rowsPairFit } from './int8-pack';
import { addWindowSum, finish, poolCodes, windowSums } from './int8-finish';
import {
  I8Op,
  K_FIXED,
  K_RELAXED,
  K_RELAXED_I16,
  K_RELAXED_I16_PAIRS,
  K_RELAXED_SPLIT,
  MAGIC,
  MAX_OPS,
  OP_GEMM,
  OP_POOL,
  TILE,
} from './int8-op';
import {
  PAIR_STORE,
  pair,
  single,
  tileBytes,
  pooledTile,
} from './int8-tiles';

let ops: usize = 0;
let opCount: i32 = 0;
let inFeatures: i32 = 0;
let inScale: f64 = 1;
let inZero: f64 = 0;
let inQmin: f64 = 0;
let inQmax: f64 = 255;
let maxActBytes: i32 = 0;
let maxPixels: i32 = 0;
let outFeatures: i32 = 0;
let needsSums: bool = false;

let bufIn: usize = 0;
let bufA: usize = 0;
let bufB: usize = 0;
let bufT: usize = 0;
let bufOut: usize = 0;
/** Accumulators of up to four pixels × 16 channels, from the tile kernels to the epilogue. */
const ACC: usize = memory.data(256, 16);

function opAt(i: i32): I8Op {
  return changetype<I8Op>(load<usize>(ops + (<usize>i << alignof<usize>())));
}

/** True when this build can run the relaxed kernels. */
export function i8_has_relaxed(): bool {
  return ASC_FEATURE_RELAXED_SIMD;
}

/** Starts a model whose input has `features` values per example on the grid (scale, zero, qmin, qmax). */
export function i8_begin(features: i32, scale: f64, zero: i32, qmin: i32, qmax: i32): bool {
  ops = alloc(<usize>MAX_OPS << alignof<usize>());
  opCount = 0;
  inFeatures = features;
  inScale = scale;
  inZero = <f64>zero;
  inQmin = <f64>qmin;
  inQmax = <f64>qmax;
  maxActBytes = features;
  maxPixels = 0;
  outFeatures = 0;
  needsSums = false;
  return ops != 0;
}

function pushOp(op: I8Op): bool {
  if (opCount >= MAX_OPS) return false;
  store<usize>(ops + (<usize>opCount << alignof<usize>()), changetype<usize>(op));
  opCount++;
  return true;
}

/** Selects a kernel if this build and the layer's codes allow it (all give the same integers). */
function setKernel(op: I8Op, kernel: i32): bool {
  if (kernel == K_FIXED) {
    op.weights = op.fixedWeights;
  } else if (
    ASC_FEATURE_RELAXED_SIMD &&
    (kernel == K_RELAXED_SPLIT ||
      ((kernel == K_RELAXED || kernel == K_RELAXED_I16) && op.codes7) ||
      (kernel == K_RELAXED_I16_PAIRS && op.codes7 && op.pairsFit))
  ) {
    op.weights = kernel == K_RELAXED_I16_PAIRS ? op.pairedWeights : op.relaxedWeights;
  } else {
    return false;
  }
  op.kernel = kernel;
  return true;
}

/** Switches op `index` to `kernel` (K_RELAXED needs 7-bit input codes, relaxed ones the relaxed build). */
export function i8_set_kernel(index: i32, kernel: i32): bool {
  if (index < 0 || index >= opCount) return false;
  const op = opAt(index);
  return op.kind == OP_GEMM && setKernel(op, kernel);
}

/** The kernel op `index` runs (0 for a pool). */
export function i8_kernel(index: i32): i32 {
  if (index < 0 || index >= opCount) return 0;
  const op = opAt(index);
  return op.kind == OP_GEMM ? op.kernel : 0;
}

function copyPadded<T>(src: usize, count: i32, padded: i32): usize {
  const dst = alloc(<usize>padded * sizeof<T>());
  if (dst != 0 && src != 0) memory.copy(dst, src, <usize>count * sizeof<T>());
  return dst;
}

/**
 * Adds a conv (valid, stride 1, HWIO) or dense layer (h = rows per example, w = 1, kh = kw = 1).
 * raw: int8 w8 [kh·kw·c, outC]; bias: int32 q_b; mult: f64 M_c = s_x·s_w[c]/s_y; d: int32 d_c or 0;
 * lut: int32 next codes of pre-activation codes lutMin…; ws: f64 s_w[c] and sx for the last layer.
 * choice: 0 auto (one relaxed dot for 7-bit codes, else fixed), or a kernel to start with. pool: a 2×2 max pool follows (exact on
 * accumulators since requantization is monotone for M_c > 0). Returns the kernel used, 0 on failure.
 */
export function i8_gemm(
  h: i32,
  w: i32,
  c: i32,
  kh: i32,
  kw: i32,
  outC: i32,
  raw: usize,
  bias: usize,
  zx: i32,
  inQmaxCode: i32,
  mult: usize,
  d: usize,
  z: i32,
  loCode: i32,
  qmaxCode: i32,
  lut: usize,
  lutLen: i32,
  lutMin: i32,
  last: bool,
  sx: f64,
  ws: usize,
  choice: i32,
  pool: bool,
): i32 {
  const op = changetype<I8Op>(alloc(offsetof<I8Op>()));
  if (changetype<usize>(op) == 0) return 0;
  op.kind = OP_GEMM;
  op.h = h;
  op.w = w;
  op.c = c;
  op.kh = kh;
  op.kw = kw;
  op.outC = outC;
  op.oh = h - kh + 1;
  op.ow = w - kw + 1;
  op.groups = (kw * c + 3) >> 2;
  op.tiles = (outC + TILE - 1) / TILE;
  op.zx = zx;
  op.z = z;
  op.last = last ? 1 : 0;
  op.pool = pool ? 1 : 0;
  op.lo = MAGIC + <f64>(loCode - z);
  op.hi = MAGIC + <f64>(qmaxCode - z);
  op.sx = sx;
  op.lutMin = lutMin;
  op.codes7 = inQmaxCode <= 127 ? 1 : 0;
  op.fixedWeights = packFixed(op, raw);
  if (op.fixedWeights == 0) return 0;
  if (ASC_FEATURE_RELAXED_SIMD) {
    op.relaxedWeights = packRelaxed(op, raw);
    if (op.relaxedWeights == 0) return 0;
    if (op.codes7) {
      // tileRelaxed2Rows3's shape pairs rows 0 and 1 in place; any other matches groups per tile.
      if (op.groups == 1 && op.kh == 3) {
        op.pairsFit = rowsPairFit(op, raw, inQmaxCode) ? 1 : 0;
        op.pairedWeights = op.relaxedWeights;
      } else {
        if (!packPaired(op, raw, inQmaxCode)) return 0;
        op.pairsFit = 1;
      }
    }
  }
  const auto = op.codes7 ? K_RELAXED : K_FIXED;
  // A refused choice falls back: pairs to the unpaired i16 dot, anything to the fixed kernel.
  if (
    !setKernel(op, choice == 0 ? auto : choice) &&
    !(choice == K_RELAXED_I16_PAIRS && setKernel(op, K_RELAXED_I16))
  ) {
    setKernel(op, K_FIXED);
  }
  const padded = op.tiles * TILE;
  // bias' = q_b − z_x·Σ_k w8[k, c], wrapping like every int32 sum here.
  op.bias = alloc(<usize>padded * 4);
  op.rawBias = alloc(<usize>padded * 4);
  op.colSum = alloc(<usize>padded * 4);
  if (op.bias == 0 || op.rawBias == 0 || op.colSum == 0) return 0;
  const K = kh * kw * c;
  for (let ch = 0; ch < outC; ch++) {
    let s: i32 = 0;
    for (let k = 0; k < K; k++) s += <i32>load<i8>(raw + <usize>(k * outC + ch));
    const qb = load<i32>(bias + (<usize>ch << 2));
    store<i32>(op.rawBias + (<usize>ch << 2), qb);
    store<i32>(op.colSum + (<usize>ch << 2), s);
    store<i32>(op.bias + (<usize>ch << 2), qb - zx * s);
  }
  op.mult = copyPadded<f64>(mult, outC, padded);
  op.d = d != 0 ? copyPadded<i32>(d, outC, padded) : 0;
  op.ws = ws != 0 ? copyPadded<f64>(ws, outC, padded) : 0;
  op.lut = lut != 0 ? copyPadded<i32>(lut, lutLen, lutLen) : 0;
  if (op.bias == 0 || op.mult == 0) return 0;
  if (d != 0) needsSums = true;
  const pixels = op.oh * op.ow;
  if (pixels > maxPixels) maxPixels = pixels;
  const outBytes = (pool ? (op.oh >> 1) * (op.ow >> 1) : pixels) * outC;
  if (last) outFeatures = outBytes;
  else if (outBytes > maxActBytes) maxActBytes = outBytes;
  return pushOp(op) ? op.kernel : 0;
}

/** Adds a 2×2 stride-2 max pool over codes of an h × w × c input. */
export function i8_pool(h: i32, w: i32, c: i32): bool {
  const op = changetype<I8Op>(alloc(offsetof<I8Op>()));
  if (changetype<usize>(op) == 0) return false;
  op.kind = OP_POOL;
  op.h = h;
  op.w = w;
  op.c = c;
  op.oh = h >> 1;
  op.ow = w >> 1;
  return pushOp(op);
}

/** Lays out scratch for `batch` examples; returns where the host writes the f32 input (0: no memory). */
export function i8_input(batch: i32): usize {
  const b = <usize>batch;
  const inBytes = alignUp(b * <usize>inFeatures * 4 + SLACK);
  const act = alignUp(b * <usize>maxActBytes + SLACK);
  const sums = needsSums ? alignUp(b * <usize>maxPixels * 4 + SLACK) : 0;
  const outBytes = alignUp(b * <usize>outFeatures * 4 + SLACK);
  const start = scratch(inBytes + 2 * act + sums + outBytes);
  if (start == 0) return 0;
  bufIn = start;
  bufA = bufIn + inBytes;
  bufB = bufA + act;
  bufT = bufB + act;
  bufOut = bufT + sums;
  return bufIn;
}

/** Logit values per example. */
export function i8_output_size(): i32 {
  return outFeatures;
}

/** q = clamp(nearest(x / s + z), qmin, qmax): integer-inference's quantize (round half to even). */
function quantizeInput(count: i32): void {
  const s = f64x2.splat(inScale);
  const z = f64x2.splat(inZero);
  const lo = f64x2.splat(inQmin);
  const hi = f64x2.splat(inQmax);
  let i = 0;
  // pmax / pmin keep NaN (as Math.max / Math.min do) and trunc_sat maps it to 0 (as Int32Array does).
  for (; i + 4 <= count; i += 4) {
    const v = v128.load(bufIn + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v);
    const b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 2, 3));
    const qa = f64x2.pmin(f64x2.pmax(f64x2.nearest(f64x2.add(f64x2.div(a, s), z)), lo), hi);
    const qb = f64x2.pmin(f64x2.pmax(f64x2.nearest(f64x2.add(f64x2.div(b, s), z)), lo), hi);
    const q = i32x4.shuffle(i32x4.trunc_sat_f64x2_s_zero(qa), i32x4.trunc_sat_f64x2_s_zero(qb), 0, 1, 4, 5);
    const halves = i16x8.narrow_i32x4_s(q, q);
    const bytes = i8x16.narrow_i16x8_u(halves, halves);
    v128.store32_lane(bufA + <usize>i, bytes, 0);
  }
  for (; i < count; i++) {
    const x = <f64>load<f32>(bufIn + (<usize>i << 2));
    const r = Math.min(inQmax, Math.max(inQmin, nearest<f64>(x / inScale + inZero)));
    store<u8>(bufA + <usize>i, <u8>(<i32>r));
  }
}

/** One conv / dense layer over `batch` examples: src codes → dst codes (or f32 logits if last). */
function gemm(op: I8Op, src: usize, dst: usize, batch: i32): void {
  if (op.d != 0) windowSums(op, src, batch, bufT);
  const pixels = batch * op.oh * op.ow;
  const outStride = <usize>op.outC * (op.last ? 4 : 1);
  const c = <usize>op.c;
  for (let t = 0; t < op.tiles; t++) {
    const wt = op.weights + <usize>t * tileBytes(op);
    let b = 0;
    let y = 0;
    let x = 0;
    let p = 0;
    while (p < pixels) {
      const x0 = src + <usize>((b * op.h + y) * op.w + x) * c;
      if (++x == op.ow) {
        x = 0;
        if (++y == op.oh) {
          y = 0;
          b++;
        }
      }
      const o0 = dst + <usize>p * outStride;
      if (p + 1 == pixels) {
        single(op, t, wt, x0, ACC);
        if (op.d != 0) addWindowSum(op, t, ACC, bufT, p);
        finish(op, t, o0, ACC);
        p++;
        continue;
      }
      const x1 = src + <usize>((b * op.h + y) * op.w + x) * c;
      if (++x == op.ow) {
        x = 0;
        if (++y == op.oh) {
          y = 0;
          b++;
        }
      }
      pair(op, t, wt, x0, x1, ACC, PAIR_STORE);
      if (op.d != 0) {
        addWindowSum(op, t, ACC, bufT, p);
        addWindowSum(op, t, ACC + 64, bufT, p + 1);
      }
      finish(op, t, o0, ACC);
      finish(op, t, o0 + outStride, ACC + 64);
      p += 2;
    }
  }
}

/** A conv followed by 2×2 max pooling: per pooled pixel, the max of 4 accumulators, requantized once. */
function gemmPooled(op: I8Op, src: usize, dst: usize, batch: i32): void {
  if (op.d != 0) windowSums(op, src, batch, bufT);
  const ph = op.oh >> 1;
  const pw = op.ow >> 1;
  const c = <usize>op.c;
  const rowBytes = <usize>op.w * c;
  const outC = <usize>op.outC;
  for (let t = 0; t < op.tiles; t++) {
    const wt = op.weights + <usize>t * tileBytes(op);
    let o = dst;
    for (let b = 0; b < batch; b++) {
      for (let py = 0; py < ph; py++) {
        for (let px = 0; px < pw; px++) {
          const x00 = src + <usize>((b * op.h + 2 * py) * op.w + 2 * px) * c;
          if (op.d == 0 && op.kernel != K_RELAXED_SPLIT) {
            // Max of the four pixels kept with the tile kernels' results, not stored and reloaded.
            pooledTile(op, t, wt, x00, c, rowBytes, ACC);
            finish(op, t, o, ACC);
            o += outC;
            continue;
          }
          pair(op, t, wt, x00, x00 + c, ACC, PAIR_STORE);
          pair(op, t, wt, x00 + rowBytes, x00 + rowBytes + c, ACC + 128, PAIR_STORE);
          if (op.d != 0) {
            const p00 = <usize>((b * op.oh + 2 * py) * op.ow + 2 * px);
            const p10 = p00 + <usize>op.ow;
            addWindowSum(op, t, ACC, bufT, p00);
            addWindowSum(op, t, ACC + 64, bufT, p00 + 1);
            addWindowSum(op, t, ACC + 128, bufT, p10);
            addWindowSum(op, t, ACC + 192, bufT, p10 + 1);
          }
          for (let v: usize = 0; v < 64; v += 16) {
            const m0 = i32x4.max_s(v128.load(ACC + v), v128.load(ACC + v, 64));
            const m1 = i32x4.max_s(v128.load(ACC + v, 128), v128.load(ACC + v, 192));
            v128.store(ACC + v, i32x4.max_s(m0, m1));
          }
          finish(op, t, o, ACC);
          o += outC;
        }
      }
    }
  }
}

function runOp(op: I8Op, src: usize, dst: usize, batch: i32): void {
  if (op.kind == OP_POOL) poolCodes(op, src, dst, batch);
  else if (op.pool) gemmPooled(op, src, dst, batch);
  else gemm(op, src, dst, batch);
}

/** Runs the whole model on the `batch` examples at i8_input's pointer; returns the f32 logits' pointer. */
export function i8_run(batch: i32): usize {
  quantizeInput(batch * inFeatures);
  let src = bufA;
  let dst = bufB;
  for (let i = 0; i < opCount; i++) {
    const op = opAt(i);
    if (op.kind == OP_GEMM && op.last) {
      gemm(op, src, bufOut, batch);
      return bufOut;
    }
    runOp(op, src, dst, batch);
    const swap = src;
    src = dst;
    dst = swap;
  }
  return 0;
}

/** Runs op `index` alone from buffer A into buffer B (for the host's per-layer timings). */
export function i8_run_op(index: i32, batch: i32): bool {
  if (index < 0 || index >= opCount) return false;
  const op = opAt(index);
  runOp(op, bufA, op.kind == OP_GEMM && op.last ? bufOut : bufB, batch);
  return true;
}

/**
 * Dynamic quantization: the input grid (s_x, z_x) of the next runs, for a model whose first op
 * is its only weight layer; refolds that op's bias' = q_b − z_x·Σ w8 and its dequantization s_x.
 */
export function i8_set_input_grid(scale: f64, zero: i32): bool {
  if (opCount == 0) return false;
  const op = opAt(0);
  if (op.kind != OP_GEMM) return false;
  inScale = scale;
  inZero = <f64>zero;
  op.zx = zero;
  op.sx = scale;
  for (let ch = 0; ch < op.outC; ch++) {
    const at = <usize>ch << 2;
    store<i32>(op.bias + at, load<i32>(op.rawBias + at) - zero * load<i32>(op.colSum + at));
  }
  return true;
}

/** Quantizes the input alone (for the host's per-layer timings). */
export function i8_quantize_input(batch: i32): void {
  quantizeInput(batch * inFeatures);
}
