/**
 * WGSL of the int8 path: input quantization by thresholds, conv / dense layers on packed int8
 * with dot4I8Packed (the packed_4x8_integer_dot_product language feature), a 2×2 max pool on
 * packed codes, and the last layer's f64 dequantization in 32-bit integers (dequant-bits.ts is
 * the same arithmetic in TypeScript, tested against real f64 in Node). Every thread writes one
 * word: four channels of one pixel (the last layer: up to four outputs).
 */

/** Index of this invocation in a 2-D grid of 64-wide workgroups. */
const INDEX = /* wgsl */ `
fn flat_index(g: vec3<u32>, n: vec3<u32>) -> u32 { return g.x + g.y * n.x * 64u; }
`;

/** f32((a · s_x) · s_w) in f64 as integer arithmetic: see dequant-bits.ts, line for line. */
const DEQUANT = /* wgsl */ `
struct F64 { hi: u32, lo: u32, e: i32 }

fn mul32(a: u32, b: u32) -> vec2<u32> {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let mid = p01 + a1 * b0;
  let mid_carry = select(0u, 1u, mid < p01);
  let p00 = a0 * b0;
  let lo = p00 + (mid << 16u);
  let lo_carry = select(0u, 1u, lo < p00);
  return vec2<u32>(lo, a1 * b1 + (mid >> 16u) + (mid_carry << 16u) + lo_carry);
}

fn bits32(l: array<u32, 6>, p: u32) -> u32 {
  var v = l;
  let w = min(p >> 5u, 4u);
  let s = p & 31u;
  if (s == 0u) { return v[w]; }
  return (v[w] >> s) | (v[w + 1u] << (32u - s));
}

fn any_below(l: array<u32, 6>, p: u32) -> bool {
  var v = l;
  let full = min(p >> 5u, 5u);
  for (var k = 0u; k < full; k++) {
    if (v[k] != 0u) { return true; }
  }
  let s = p & 31u;
  return s != 0u && (v[full] & ((1u << s) - 1u)) != 0u;
}

fn bit_length(l: array<u32, 6>) -> u32 {
  var v = l;
  for (var k = 5i; k >= 0i; k--) {
    if (v[k] != 0u) { return 32u * u32(k) + 32u - countLeadingZeros(v[k]); }
  }
  return 0u;
}

// The limbs shifted right by shift, rounded to nearest, ties to even: (hi, lo, shift + carry).
fn round_at(l: array<u32, 6>, shift: u32) -> vec3<u32> {
  var lo = bits32(l, shift);
  var hi = bits32(l, shift + 32u) & 0x3fffffu;
  if (shift > 0u) {
    let half = (bits32(l, shift - 1u) & 1u) == 1u;
    if (half && (any_below(l, shift - 1u) || (lo & 1u) == 1u)) {
      lo = lo + 1u;
      if (lo == 0u) { hi = hi + 1u; }
    }
  }
  if (hi == 0x200000u) { return vec3<u32>(0x100000u, 0u, shift + 1u); }
  return vec3<u32>(hi, lo, shift);
}

fn to_f64(l: array<u32, 6>, e: i32) -> F64 {
  let r = round_at(l, bit_length(l) - 53u);
  return F64(r.x, r.y, e + i32(r.z));
}

fn mul_limb(s: u32, hi: u32, lo: u32) -> array<u32, 6> {
  let a = mul32(s, lo);
  let m = mul32(s, hi);
  let l1 = a.y + m.x;
  return array<u32, 6>(a.x, l1, m.y + select(0u, 1u, l1 < a.y), 0u, 0u, 0u);
}

fn mul_parts(x: F64, y_hi: u32, y_lo: u32) -> array<u32, 6> {
  let low = mul_limb(y_lo, x.hi, x.lo);
  let high = mul_limb(y_hi, x.hi, x.lo);
  let l1 = low[1] + high[0];
  let c1 = select(0u, 1u, l1 < low[1]);
  let s2 = low[2] + high[1];
  let l2 = s2 + c1;
  let c2 = select(0u, 1u, s2 < low[2]) + select(0u, 1u, l2 < s2);
  return array<u32, 6>(low[0], l1, l2, high[2] + c2, 0u, 0u);
}

fn f32_bits(v: F64) -> u32 {
  let biased = v.e + 52 + 127;
  var drop = 29u;
  if (biased < 1) { drop = u32(30 - biased); }
  if (drop >= 54u) { return 0u; }
  var mant = round_at(array<u32, 6>(v.lo, v.hi, 0u, 0u, 0u, 0u), drop).y;
  if (biased < 1) { return mant; }
  var e = biased;
  if (mant == 0x1000000u) {
    mant = 0x800000u;
    e = e + 1;
  }
  if (e >= 255) { return 0x7f800000u; }
  return (u32(e) << 23u) | (mant & 0x7fffffu);
}

fn dequant(a: i32, sx: F64, sw_hi: u32, sw_lo: u32, sw_e: i32) -> u32 {
  if (a == 0) { return 0u; }
  var m = bitcast<u32>(a);
  if (a < 0) { m = 0u - m; }
  let t = to_f64(mul_limb(m, sx.hi, sx.lo), sx.e);
  let y = to_f64(mul_parts(t, sw_hi, sw_lo), t.e + sw_e);
  return f32_bits(y) | select(0u, 0x80000000u, a < 0);
}
`;

/** Input quantization: f32 NHWC → packed x' = q − 128, q = lo + #{k : x ≥ T[k]}. */
export const QUANTIZE_WGSL = /* wgsl */ `
struct Dims { total: u32, channels: u32, cw: u32, lo: i32, n: u32, pad0: u32, pad1: u32, pad2: u32 }
@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read> thr: array<f32>;
@group(0) @binding(3) var<storage, read_write> y: array<u32>;
${INDEX}
fn search(v: f32) -> u32 {
  var lo = 0u;
  var hi = d.n;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (thr[mid] <= v) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = flat_index(g, n);
  if (i >= d.total) { return; }
  let w = i % d.cw;
  let p = i / d.cw;
  var lanes = vec4<i32>(0);
  for (var j = 0u; j < 4u; j++) {
    let c = 4u * w + j;
    if (c < d.channels) { lanes[j] = d.lo + i32(search(x[p * d.channels + c])) - 128; }
  }
  y[i] = pack4xI8(lanes);
}
`;

/** 2×2 max pool, stride 2, valid, on packed codes (x' keeps the order of q). */
export const POOL_WGSL = /* wgsl */ `
struct Dims { total: u32, h: u32, w: u32, cw: u32, oh: u32, ow: u32, pad0: u32, pad1: u32 }
@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<u32>;
${INDEX}
@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = flat_index(g, n);
  if (i >= d.total) { return; }
  let c = i % d.cw;
  var r = i / d.cw;
  let ox = r % d.ow;
  r = r / d.ow;
  let oy = r % d.oh;
  let b = r / d.oh;
  let at = ((b * d.h + 2u * oy) * d.w + 2u * ox) * d.cw + c;
  let row = d.w * d.cw;
  let top = max(unpack4xI8(x[at]), unpack4xI8(x[at + d.cw]));
  let bottom = max(unpack4xI8(x[at + row]), unpack4xI8(x[at + row + d.cw]));
  y[i] = pack4xI8(max(top, bottom));
}
`;

/** A conv (valid, stride 1) or dense layer (a 1 × 1 conv); `last` writes f32 logits instead of codes. */
export function layerWgsl(last: boolean): string {
  const finish = last
    ? /* wgsl */ `
  let pixel = i / d.ocw;
  let sx = F64(d.sx_hi, d.sx_lo, d.sx_e);
  for (var j = 0u; j < 4u; j++) {
    let c = o * 4u + j;
    if (c < d.out_c) {
      let total = acc[j] + ch[c * 8u + 1u] * sum + ch[c * 8u];
      var bits = dequant(total, sx, u32(ch[c * 8u + 4u]), u32(ch[c * 8u + 5u]), ch[c * 8u + 6u]);
      if (d.relu == 1u && bits >= 0x80000000u) { bits = 0u; }
      y[pixel * d.out_c + c] = bits;
    }
  }`
    : /* wgsl */ `
  var lanes = vec4<i32>(0);
  for (var j = 0u; j < 4u; j++) {
    let c = o * 4u + j;
    if (c < d.out_c) {
      let total = acc[j] + ch[c * 8u + 1u] * sum + ch[c * 8u];
      lanes[j] = ch[c * 8u + 2u] + i32(search(c * d.stride, u32(ch[c * 8u + 3u]), total)) - 128;
    }
  }
  y[i] = pack4xI8(lanes);`;
  return /* wgsl */ `
struct Dims {
  total: u32, h: u32, w: u32, cw: u32, oh: u32, ow: u32, ocw: u32, out_c: u32,
  kh: u32, kw: u32, stride: u32, relu: u32, sx_hi: u32, sx_lo: u32, sx_e: i32, pad0: u32,
}
@group(0) @binding(0) var<uniform> d: Dims;
@group(0) @binding(1) var<storage, read> x: array<u32>;
@group(0) @binding(2) var<storage, read> wt: array<u32>;
@group(0) @binding(3) var<storage, read> ch: array<i32>;
@group(0) @binding(4) var<storage, read> thr: array<i32>;
@group(0) @binding(5) var<storage, read_write> y: array<u32>;
${INDEX}
${last ? DEQUANT : ''}
fn search(at: u32, n: u32, v: i32) -> u32 {
  var lo = 0u;
  var hi = n;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (thr[at + mid] <= v) { lo = mid + 1u; } else { hi = mid; }
  }
  return lo;
}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) g: vec3<u32>, @builtin(num_workgroups) n: vec3<u32>) {
  let i = flat_index(g, n);
  if (i >= d.total) { return; }
  let o = i % d.ocw;
  var r = i / d.ocw;
  let ox = r % d.ow;
  r = r / d.ow;
  let oy = r % d.oh;
  let b = r / d.oh;
  let out_p = d.ocw * 4u;
  var acc = vec4<i32>(0);
  var sum = 0i;
  for (var dy = 0u; dy < d.kh; dy++) {
    for (var dx = 0u; dx < d.kw; dx++) {
      let row = ((b * d.h + oy + dy) * d.w + ox + dx) * d.cw;
      let taps = (dy * d.kw + dx) * d.cw;
      for (var ci = 0u; ci < d.cw; ci++) {
        let xw = x[row + ci];
        sum += dot4I8Packed(xw, 0x01010101u);
        let at = (taps + ci) * out_p + o * 4u;
        acc += vec4<i32>(
          dot4I8Packed(xw, wt[at]),
          dot4I8Packed(xw, wt[at + 1u]),
          dot4I8Packed(xw, wt[at + 2u]),
          dot4I8Packed(xw, wt[at + 3u]),
        );
      }
    }
  }
${finish}
}
`;
}
