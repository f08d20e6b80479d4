/**
 * Loader of our own SIMD wasm engine (built from ./assembly by scripts/build-wasm.mjs into
 * ./build): feature detection by validating two tiny probe modules, then the relaxed-SIMD build
 * where relaxed SIMD validates, the fixed-SIMD build where only SIMD does. Pure TS + the
 * WebAssembly API: runs in Node (reads the file) and in a browser worker under Vite (fetches the
 * asset URL Vite emits for `new URL('./build/…', import.meta.url)`). Failures come back as a
 * typed reason, never as a throw, so the caller can fall back with a note.
 */

import { checkBatchInput } from '../network/layers';
import { relaxedSelfTest } from './self-test';

/** Which build runs: relaxed SIMD (relaxed dot products) or fixed SIMD only. */
export type KernelPath = 'relaxed-simd' | 'simd';

/** Why the engine cannot run here. */
export type EngineFailure = 'no-simd' | 'load-failed' | 'compile-failed' | 'instantiate-failed';

/** A typed reason the caller shows in its note before falling back to the JS / tfjs path. */
export interface Fallback<R extends string = string> {
  fallback: R;
  detail: string;
}

/** The wasm module's exports (see assembly/index.ts); pointers are byte offsets into memory. */
export interface EngineExports {
  memory: WebAssembly.Memory;
  alloc(bytes: number): number;
  allocatedBytes(): number;
  i8_has_relaxed(): number;
  i8_begin(features: number, scale: number, zero: number, qmin: number, qmax: number): number;
  i8_gemm(
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    outC: number,
    raw: number,
    bias: number,
    zx: number,
    inQmax: number,
    mult: number,
    d: number,
    z: number,
    lo: number,
    qmax: number,
    lut: number,
    lutLen: number,
    lutMin: number,
    last: number,
    sx: number,
    ws: number,
    choice: number,
    pool: number,
  ): number;
  i8_pool(h: number, w: number, c: number): number;
  i8_input(batch: number): number;
  i8_output_size(): number;
  i8_run(batch: number): number;
  i8_run_op(index: number, batch: number): number;
  i8_set_kernel(index: number, kernel: number): number;
  i8_kernel(index: number): number;
  i8_quantize_input(batch: number): void;
  i8_set_input_grid(scale: number, zero: number): number;
  f_begin(features: number): number;
  f_layer(
    h: number,
    w: number,
    c: number,
    kh: number,
    kw: number,
    outC: number,
    kernel: number,
    bias: number,
    relu: number,
    mode: number,
  ): number;
  f_pool(h: number, w: number, c: number): number;
  f_set_mode(index: number, mode: number): number;
  f_input(batch: number): number;
  f_output_size(): number;
  f_run(batch: number): number;
  f_run_op(index: number, batch: number): number;
}

/** A compiled engine module; each prepared model gets its own instance (its own memory). */
export interface KernelEngine {
  path: KernelPath;
  module: WebAssembly.Module;
  /** Why a better path validated but is not used (e.g. relaxed SIMD failing its self-test). */
  note?: string;
}

const HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
/** Type section: one function type () → v128; function section: one function of it. */
const V128_FUNCTION = [0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01, 0x00];
const V128_ZERO = [0xfd, 0x0c, ...new Array<number>(16).fill(0)];

function probe(body: number[]): Uint8Array<ArrayBuffer> {
  const code = [0x00, ...body, 0x0b]; // no locals, …, end
  return Uint8Array.from([
    ...HEADER,
    ...V128_FUNCTION,
    0x0a,
    code.length + 2,
    0x01,
    code.length,
    ...code,
  ]);
}

/** (func (result v128) v128.const 0): validates where fixed SIMD is supported. */
export const SIMD_PROBE = probe(V128_ZERO);
/** (func (result v128) i32x4.relaxed_dot_i8x16_i7x16_add_s(0, 0, 0)): relaxed SIMD (opcode 0x113). */
export const RELAXED_SIMD_PROBE = probe([
  ...V128_ZERO,
  ...V128_ZERO,
  ...V128_ZERO,
  0xfd,
  0x93,
  0x02,
]);

/** Feature detection: simd = validate(SIMD_PROBE), relaxedSimd = validate(RELAXED_SIMD_PROBE). */
export function detectSimd(): { simd: boolean; relaxedSimd: boolean } {
  if (typeof WebAssembly !== 'object') return { simd: false, relaxedSimd: false };
  const simd = WebAssembly.validate(SIMD_PROBE);
  return { simd, relaxedSimd: simd && WebAssembly.validate(RELAXED_SIMD_PROBE) };
}

/** Where the built module of a path lives (literal URLs, so Vite emits them as assets). */
export function engineUrl(path: KernelPath): URL {
  return path === 'relaxed-simd'
    ? new URL('./build/engine-relaxed.wasm', import.meta.url)
    : new URL('./build/engine-simd.wasm', import.meta.url);
}

interface NodeFs {
  readFile(path: URL): Promise<Uint8Array<ArrayBuffer>>;
}

/** Node's fs/promises without a static or dynamic import (Node ≥ 20.16), so bundles stay clean. */
async function nodeFs(): Promise<NodeFs> {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const fs = proc?.getBuiltinModule?.('node:fs/promises') as NodeFs | undefined;
  if (fs) return fs;
  const specifier = 'node:fs/promises'; // a variable, so bundlers leave it be
  return (await import(/* @vite-ignore */ specifier)) as NodeFs;
}

/** The bytes of a built module: read from disk in Node, fetched in a browser. */
export async function readBytes(url: URL): Promise<BufferSource> {
  if (url.protocol === 'file:') return (await nodeFs()).readFile(url); // Node: no fetch of file URLs
  const response = await fetch(url);
  if (!response.ok) throw new Error(`HTTP ${response.status} for ${url.href}`);
  return response.arrayBuffer();
}

export interface LoadOptions {
  /** Use this build even where a better one validates ('simd' forces the fixed-SIMD module). */
  prefer?: KernelPath;
  /** Bytes of the module instead of the built file (tests, custom hosting). */
  bytes?: (path: KernelPath) => Promise<BufferSource>;
}

const cache = new Map<KernelPath, Promise<KernelEngine | Fallback<EngineFailure>>>();

async function compile(
  path: KernelPath,
  bytes: LoadOptions['bytes'],
): Promise<KernelEngine | Fallback<EngineFailure>> {
  let source: BufferSource;
  try {
    source = bytes ? await bytes(path) : await readBytes(engineUrl(path));
  } catch (error) {
    return { fallback: 'load-failed', detail: `${path} module: ${describe(error)}` };
  }
  try {
    return { path, module: await WebAssembly.compile(source) };
  } catch (error) {
    return { fallback: 'compile-failed', detail: `${path} module: ${describe(error)}` };
  }
}

/** Compiles one build as is (cached per path unless `bytes` is given), without any self-test. */
export function compileEngine(
  path: KernelPath,
  bytes?: LoadOptions['bytes'],
): Promise<KernelEngine | Fallback<EngineFailure>> {
  if (bytes) return compile(path, bytes);
  let pending = cache.get(path);
  if (!pending) {
    pending = compile(path, undefined);
    cache.set(path, pending);
    // A failed load is not remembered: the next call may find the file.
    void pending.then((r) => 'fallback' in r && cache.delete(path));
  }
  return pending;
}

/** Path chosen: relaxed-simd if relaxed SIMD validates (unless prefer = 'simd'), else simd. */
export function choosePath(prefer?: KernelPath): KernelPath | null {
  const { simd, relaxedSimd } = detectSimd();
  if (!simd) return null;
  return relaxedSimd && prefer !== 'simd' ? 'relaxed-simd' : 'simd';
}

const trusted = new WeakMap<WebAssembly.Module, string | null>();

/**
 * The best engine this runtime runs correctly: the relaxed-SIMD build where relaxed SIMD validates
 * and passes relaxedSelfTest, else the fixed-SIMD build (with a note saying why).
 */
export async function loadEngine(
  options: LoadOptions = {},
): Promise<KernelEngine | Fallback<EngineFailure>> {
  const path = choosePath(options.prefer);
  if (!path) {
    return {
      fallback: 'no-simd',
      detail: 'this WebAssembly runtime does not validate SIMD (v128) code',
    };
  }
  const engine = await compileEngine(path, options.bytes);
  if (path === 'simd' || isFallback(engine)) return engine;
  if (!trusted.has(engine.module)) trusted.set(engine.module, relaxedSelfTest(engine.module));
  const problem = trusted.get(engine.module);
  if (!problem) return engine;
  const fixed = await compileEngine('simd', options.bytes);
  if (isFallback(fixed)) return fixed;
  return { ...fixed, note: `relaxed SIMD validates but ${problem}: running the fixed-SIMD build` };
}

/** A fresh instance of the engine (own memory), or why it could not be made. */
export function instantiate(engine: KernelEngine): EngineExports | Fallback<EngineFailure> {
  try {
    const instance = new WebAssembly.Instance(engine.module, {});
    return instance.exports as unknown as EngineExports;
  } catch (error) {
    return { fallback: 'instantiate-failed', detail: describe(error) };
  }
}

/** True for a Fallback (a typed reason) rather than a result. */
export function isFallback<T extends object>(value: T | Fallback): value is Fallback {
  return 'fallback' in value;
}

/** Copies typed values into freshly allocated engine memory; returns the pointer (0: no memory). */
export function copyIn(ex: EngineExports, values: ArrayBufferView): number {
  const bytes = values.byteLength;
  const ptr = ex.alloc(Math.max(bytes, 1));
  if (ptr === 0) return 0;
  new Uint8Array(ex.memory.buffer, ptr, bytes).set(
    new Uint8Array(values.buffer, values.byteOffset, bytes),
  );
  return ptr;
}

/**
 * One batch through a prepared engine model: checks x, writes it where `input(batch)` says,
 * runs `run(batch)` and copies out batch × outputSize f32 values (empty for an empty batch).
 */
export function runBatch(
  ex: EngineExports,
  calls: { input: (batch: number) => number; run: (batch: number) => number; what: string },
  x: Float32Array,
  batch: number,
  sizes: { features: number; outputSize: number },
): Float32Array {
  checkBatchInput(x, batch, sizes.features);
  if (batch === 0) return new Float32Array(0);
  const input = calls.input(batch);
  if (input === 0) {
    throw new RangeError(`The ${calls.what} engine could not grow its memory for this batch.`);
  }
  new Float32Array(ex.memory.buffer, input, x.length).set(x);
  const output = calls.run(batch);
  return new Float32Array(ex.memory.buffer, output, batch * sizes.outputSize).slice();
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Untimed warm-up of each layer timing (ms), so V8 has optimized the kernel's code. */
const LAYER_WARMUP_MS = 5;

/**
 * Durations (ms, ascending) of `runs` timed calls of `f`, after untimed warm-up calls: at least
 * `warmupCalls` and for at least `warmupMs` (wasm runs on V8's baseline code until it has run a
 * while).
 */
export function sortedCallTimes(
  f: () => unknown,
  runs: number,
  { warmupCalls = 1, warmupMs = 0 }: { warmupCalls?: number; warmupMs?: number } = {},
): number[] {
  const warmUntil = performance.now() + warmupMs;
  for (let i = 0; i < warmupCalls || performance.now() < warmUntil; i++) f();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Median ms of each of `candidates` (one layer, one kernel each) over `runs` rounds that call them
 * in turn (c0 c1 … c0 c1 …), after warm-up rounds lasting at least 5 ms per candidate: a busy
 * spell of the machine then slows every candidate alike, where timing them one after another let
 * it fall on one kernel and pick the slower one.
 */
export function interleavedMedianMs(candidates: readonly (() => void)[], runs: number): number[] {
  const warmUntil = performance.now() + LAYER_WARMUP_MS * candidates.length;
  do for (const f of candidates) f();
  while (performance.now() < warmUntil);
  const times = candidates.map(() => [] as number[]);
  for (let r = 0; r < runs; r++) {
    candidates.forEach((f, i) => {
      const t0 = performance.now();
      f();
      times[i]!.push(performance.now() - t0);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}
