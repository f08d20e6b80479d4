/**
 * Known-answer test of the relaxed-SIMD build. Validation only says a runtime parses relaxed
 * opcodes, not that it computes them right (Node 20's V8 11.3, behind its flag, returns wrong
 * i32x4.relaxed_dot_i8x16_i7x16_add_s sums), so before relaxed kernels are trusted they must
 * reproduce exact integer accumulators and exact small-integer f32 multiply-adds.
 */
import type { EngineExports } from './engine';

const K = 37;
const OUT = 5;
const ROWS = 3;

/** Seeded integers in [lo, hi]. */
function ints(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + (s % (hi - lo + 1));
  });
}

function put(ex: EngineExports, values: ArrayBufferView): number {
  const ptr = ex.alloc(values.byteLength);
  new Uint8Array(ex.memory.buffer, ptr, values.byteLength).set(
    new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  );
  return ptr;
}

/**
 * acc[r, c] = bias[c] + Σ_k code[r, k]·w[k, c] through one dense layer with `kernel` (as the
 * last layer with s_x = s_w = 1, so the engine's f32 outputs are the accumulators).
 */
function denseOnEngine(
  module: WebAssembly.Module,
  codes: number[],
  w: Int8Array,
  bias: Int32Array,
  qmax: number,
  kernel: number,
): Float32Array | null {
  const ex = new WebAssembly.Instance(module, {}).exports as unknown as EngineExports;
  if (!ex.i8_begin(K, 1, 0, 0, qmax)) return null;
  const ones = put(ex, new Float64Array(OUT).fill(1));
  const ptrs = [put(ex, w), put(ex, bias)];
  const used = ex.i8_gemm(
    1,
    1,
    K,
    1,
    1,
    OUT,
    ptrs[0]!,
    ptrs[1]!,
    0,
    qmax,
    ones,
    0,
    0,
    0,
    qmax,
    0,
    0,
    0,
    1,
    1,
    ones,
    kernel,
    0,
  );
  if (used !== kernel) return null;
  const input = ex.i8_input(ROWS);
  new Float32Array(ex.memory.buffer, input, ROWS * K).set(codes);
  return new Float32Array(ex.memory.buffer, ex.i8_run(ROWS), ROWS * OUT).slice();
}

function expected(codes: number[], w: Int8Array, bias: Int32Array): number[] {
  return Array.from({ length: ROWS * OUT }, (_, i) => {
    const r = Math.floor(i / OUT);
    const c = i % OUT;
    let acc = bias[c]!;
    for (let k = 0; k < K; k++) acc += codes[r * K + k]! * w[k * OUT + c]!;
    return acc;
  });
}

/** y = relu(x·W + b) of a small-integer dense layer through the float engine (mode 1 dense, 2 CSR). */
function floatOnEngine(module: WebAssembly.Module, mode: number): Float32Array {
  const ex = new WebAssembly.Instance(module, {}).exports as unknown as EngineExports;
  ex.f_begin(K);
  const w = Float32Array.from(ints(K * OUT, 7, -3, 3));
  ex.f_layer(
    1,
    1,
    K,
    1,
    1,
    OUT,
    put(ex, w),
    put(ex, Float32Array.from(ints(OUT, 8, -5, 5))),
    0,
    mode,
  );
  const input = ex.f_input(ROWS);
  new Float32Array(ex.memory.buffer, input, ROWS * K).set(ints(ROWS * K, 9, -4, 4));
  return new Float32Array(ex.memory.buffer, ex.f_run(ROWS), ROWS * OUT).slice();
}

function floatExpected(): number[] {
  const w = ints(K * OUT, 7, -3, 3);
  const b = ints(OUT, 8, -5, 5);
  const x = ints(ROWS * K, 9, -4, 4);
  return Array.from({ length: ROWS * OUT }, (_, i) => {
    const r = Math.floor(i / OUT);
    const c = i % OUT;
    let acc = b[c]!;
    for (let k = 0; k < K; k++) acc += x[r * K + k]! * w[k * OUT + c]!;
    return acc;
  });
}

const same = (a: ArrayLike<number> | null, b: ArrayLike<number>): boolean =>
  a !== null && a.length === b.length && Array.prototype.every.call(a, (v, i) => v === b[i]);

/** null when the relaxed build computes exactly here; else what went wrong (for the caller's note). */
export function relaxedSelfTest(module: WebAssembly.Module): string | null {
  try {
    const w = Int8Array.from(ints(K * OUT, 1, -128, 127));
    const bias = Int32Array.from(ints(OUT, 2, -5000, 5000));
    const codes8 = ints(ROWS * K, 3, 0, 255);
    const codes7 = codes8.map((q) => q & 127);
    if (!same(denseOnEngine(module, codes7, w, bias, 127, 1), expected(codes7, w, bias))) {
      return 'its i32x4.relaxed_dot_i8x16_i7x16_add_s gives wrong sums';
    }
    if (!same(denseOnEngine(module, codes8, w, bias, 255, 2), expected(codes8, w, bias))) {
      return 'its split relaxed dot (8-bit codes) gives wrong sums';
    }
    const want = floatExpected();
    if (!same(floatOnEngine(module, 1), want) || !same(floatOnEngine(module, 2), want)) {
      return 'its f32x4.relaxed_madd gives wrong small-integer sums';
    }
    return null;
  } catch (error) {
    return `its self-test failed: ${error instanceof Error ? error.message : String(error)}`;
  }
}
