// Steps of the int8 engine around its tile kernels: the requantizing epilogue, the d_c correction
// of asymmetric weight channels, and the standalone 2×2 max pool over codes.
import { I8Op, MAGIC, TILE } from './int8-op';

/** Spill area for lane-wise stores (lane indices must be constants in wasm). */
const TMP: usize = memory.data(64, 16);

/** 2×2 max pool, stride 2, valid, on uint8 codes NHWC; each pixel's 16-lane spill is overwritten by the next. */
export function poolCodes(op: I8Op, src: usize, dst: usize, batch: i32): void {
  const c = <usize>op.c;
  const rowBytes = <usize>op.w * c;
  let o = dst;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < op.oh; y++) {
      let p = src + (<usize>(b * op.h + 2 * y) * <usize>op.w) * c;
      for (let x = 0; x < op.ow; x++) {
        for (let k: usize = 0; k < c; k += 16) {
          const m0 = i8x16.max_u(v128.load(p + k), v128.load(p + c + k));
          const m1 = i8x16.max_u(v128.load(p + rowBytes + k), v128.load(p + rowBytes + c + k));
          v128.store(o + k, i8x16.max_u(m0, m1));
        }
        p += 2 * c;
        o += c;
      }
    }
  }
}

/** sums[p] = Σ_window (q_x − z_x) for every output pixel: the d_c correction's input. */
export function windowSums(op: I8Op, src: usize, batch: i32, sums: usize): void {
  const L = op.kw * op.c;
  const K = op.kh * L;
  const rowStride = <usize>(op.w * op.c);
  let p: usize = 0;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < op.oh; y++) {
      for (let x = 0; x < op.ow; x++) {
        const base = src + (<usize>((b * op.h + y) * op.w + x) * <usize>op.c);
        let s: i32 = 0;
        for (let dy = 0; dy < op.kh; dy++) {
          const row = base + <usize>dy * rowStride;
          for (let k = 0; k < L; k++) s += <i32>load<u8>(row + <usize>k);
        }
        store<i32>(sums + (p << 2), s - K * op.zx);
        p++;
      }
    }
  }
}

/** acc[0..16) += d_c · sums[p] (asymmetric weight channels with an offset d_c). */
export function addWindowSum(op: I8Op, t: i32, acc: usize, sums: usize, p: usize): void {
  const tv = i32x4.splat(load<i32>(sums + (p << 2)));
  const d = op.d + (<usize>(t * TILE) << 2);
  v128.store(acc, i32x4.add(v128.load(acc), i32x4.mul(v128.load(d), tv)));
  v128.store(acc, i32x4.add(v128.load(acc, 16), i32x4.mul(v128.load(d, 16), tv)), 16);
  v128.store(acc, i32x4.add(v128.load(acc, 32), i32x4.mul(v128.load(d, 32), tv)), 32);
  v128.store(acc, i32x4.add(v128.load(acc, 48), i32x4.mul(v128.load(d, 48), tv)), 48);
}

// @ts-ignore: decorator
@inline
function requant4(acc: v128, m: usize, lo: v128, hi: v128, z: v128): v128 {
  const magic = f64x2.splat(MAGIC);
  const a = f64x2.convert_low_i32x4_s(acc);
  const b = f64x2.convert_low_i32x4_s(i32x4.shuffle(acc, acc, 2, 3, 2, 3));
  const ta = f64x2.pmin(f64x2.pmax(f64x2.add(f64x2.mul(a, v128.load(m)), magic), lo), hi);
  const tb = f64x2.pmin(f64x2.pmax(f64x2.add(f64x2.mul(b, v128.load(m, 16)), magic), lo), hi);
  return i32x4.add(i32x4.shuffle(ta, tb, 0, 2, 4, 6), z);
}

/** Requantizes (or dequantizes, or looks up) the 16 accumulators at acc for tile t and stores them. */
// @ts-ignore: decorator
@inline
export function finish(op: I8Op, t: i32, dst: usize, acc: usize): void {
  const c0 = t * TILE;
  const valid = min(TILE, op.outC - c0);
  if (op.last) {
    // y = f32((acc · s_x) · s_w[c]), the order of dequantizeAccumulators.
    for (let i = 0; i < valid; i++) {
      const a = <f64>load<i32>(acc + (<usize>i << 2));
      const y = a * op.sx * load<f64>(op.ws + (<usize>(c0 + i) << 3));
      store<f32>(dst + (<usize>(c0 + i) << 2), <f32>y);
    }
    return;
  }
  const lo = f64x2.splat(op.lo);
  const hi = f64x2.splat(op.hi);
  const z = i32x4.splat(op.z);
  const m = op.mult + (<usize>c0 << 3);
  const q0 = requant4(v128.load(acc), m, lo, hi, z);
  const q1 = requant4(v128.load(acc, 16), m + 32, lo, hi, z);
  const q2 = requant4(v128.load(acc, 32), m + 64, lo, hi, z);
  const q3 = requant4(v128.load(acc, 48), m + 96, lo, hi, z);
  if (op.lut != 0) {
    v128.store(TMP, q0);
    v128.store(TMP, q1, 16);
    v128.store(TMP, q2, 32);
    v128.store(TMP, q3, 48);
    for (let i = 0; i < valid; i++) {
      const q = load<i32>(TMP + (<usize>i << 2)) - op.lutMin;
      store<u8>(dst + <usize>(c0 + i), <u8>load<i32>(op.lut + (<usize>q << 2)));
    }
    return;
  }
  const bytes = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(q0, q1), i16x8.narrow_i32x4_s(q2, q3));
  if (valid == TILE) {
    v128.store(dst + <usize>c0, bytes);
  } else {
    v128.store(TMP, bytes);
    memory.copy(dst + <usize>c0, TMP, <usize>valid);
  }
}
