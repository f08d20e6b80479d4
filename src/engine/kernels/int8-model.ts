/**
 * The converted integer model on our wasm engine: prepareInt8Model copies the weights (int8,
 * packed for the SIMD loop) into a fresh engine instance once; runInt8 runs the whole model —
 * input quantization, conv / dense with fused requantization, max pooling, dequantized logits —
 * in one call, bit-exact with the JS reference (runIntegerModel in techniques/quant-integer).
 * Anything the engine cannot do exactly comes back as a typed Fallback instead.
 */
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { EngineExports, EngineFailure, Fallback, KernelEngine, KernelPath } from './engine';
import {
  copyIn,
  instantiate,
  interleavedMedianMs,
  isFallback,
  loadEngine,
  runBatch,
} from './engine';

/** Why an integer model stays on the JS reference path. */
export type Int8FallbackReason =
  | EngineFailure
  | 'accumulator-too-wide'
  | 'activations-too-wide'
  | 'weights-too-wide'
  | 'multiplier-out-of-range'
  | 'unsupported-model'
  | 'out-of-memory';

export type Int8Fallback = Fallback<Int8FallbackReason>;

/** Per layer: which inner loop runs it. */
export type Int8Kernel =
  | 'relaxed-dot'
  | 'relaxed-dot-i16'
  | 'relaxed-dot-i16-pairs'
  | 'relaxed-dot-split'
  | 'fixed-dot-i16';

/**
 * auto: one relaxed dot where input codes fit 7 bits, else the fixed int16 dot; fixed / split /
 * i16 (7-bit codes: the i16x8 relaxed dot and a widening add) / pairs (i16 with two groups' dots
 * added in int16, where the layer's weights prove no lane overflows; else i16): those kernels
 * where the build and the codes allow; measure: per layer the fastest, timed at prepare.
 */
export type Int8KernelChoice = 'auto' | 'fixed' | 'split' | 'i16' | 'pairs' | 'measure';

export interface Int8Options {
  /** A loaded engine (else loadEngine({ prefer }) is awaited). */
  engine?: KernelEngine;
  prefer?: KernelPath;
  kernel?: Int8KernelChoice;
  /** Batch of the timings behind kernel = 'measure' (default 8). */
  measureBatch?: number;
}

export interface Int8Handle {
  path: KernelPath;
  /** Per conv / dense layer, in order: its name, engine op index and current kernel. */
  names: string[];
  opIndex: number[];
  kernels: Int8Kernel[];
  /** Input values per example. */
  features: number;
  /** Output values per example. */
  outputSize: number;
  /** Bytes the model holds in engine memory (packed weights, biases, multipliers). */
  engineBytes: number;
  exports: EngineExports;
  lastActivation: string;
}

const KERNELS: Record<number, Int8Kernel> = {
  1: 'relaxed-dot',
  2: 'relaxed-dot-split',
  3: 'fixed-dot-i16',
  4: 'relaxed-dot-i16',
  5: 'relaxed-dot-i16-pairs',
};
const KERNEL_CODE: Record<Int8Kernel, number> = {
  'relaxed-dot': 1,
  'relaxed-dot-split': 2,
  'fixed-dot-i16': 3,
  'relaxed-dot-i16': 4,
  'relaxed-dot-i16-pairs': 5,
};
const CHOICE: Record<Int8KernelChoice, number> = {
  auto: 0,
  measure: 0,
  split: 2,
  fixed: 3,
  i16: 4,
  pairs: 5,
};

/** |M·acc| must stay below 2^51 for the engine's round-half-even by the 1.5·2^52 addition. */
const MAX_MULTIPLIER = 2 ** 51 / 2 ** 31;

type WeightOp = Extract<IntegerModel['ops'][number], { kind: 'dense' | 'conv' }>;

const fail = (fallback: Int8FallbackReason, detail: string): Int8Fallback => ({ fallback, detail });

const perChannel = (values: ArrayLike<number>, c: number): number =>
  values.length === 1 ? values[0]! : values[c]!;

/**
 * Weights as int8 w8 = (q_w − z_w) − d_c: d_c = 0 when channel c's centred codes fit int8, else
 * d_c = min_c + 128 (asymmetric grids); null when a channel spans more than 256 codes.
 */
export function int8Weights(op: WeightOp): { w8: Int8Array; d: Int32Array | null } | null {
  const { kernel, kernelShape, weightParams } = op.layer;
  const outC = kernelShape[kernelShape.length - 1]!;
  const zw = weightParams.zeroPoint;
  const lo = new Array<number>(outC).fill(Infinity);
  const hi = new Array<number>(outC).fill(-Infinity);
  for (let i = 0; i < kernel.length; i++) {
    const c = i % outC;
    const v = kernel[i]! - perChannel(zw, c);
    if (v < lo[c]!) lo[c] = v;
    if (v > hi[c]!) hi[c] = v;
  }
  const d = new Int32Array(outC);
  for (let c = 0; c < outC; c++) {
    if (hi[c]! - lo[c]! > 255) return null;
    if (lo[c]! < -128 || hi[c]! > 127) d[c] = lo[c]! + 128;
  }
  const w8 = new Int8Array(kernel.length);
  for (let i = 0; i < kernel.length; i++) {
    const c = i % outC;
    w8[i] = kernel[i]! - perChannel(zw, c) - d[c]!;
  }
  return { w8, d: d.some((v) => v !== 0) ? d : null };
}

/** Requantization multipliers M_c = s_x · s_w[c] / s_y, computed as techniques' `multipliers`. */
function multipliers(op: WeightOp): Float64Array {
  const { kernelShape, inputParams, outputParams, weightParams } = op.layer;
  const outC = kernelShape[kernelShape.length - 1]!;
  const sx = inputParams.scale[0]!;
  const sy = outputParams.scale[0]!;
  return Float64Array.from(
    { length: outC },
    (_, c) => (sx * perChannel(weightParams.scale, c)) / sy,
  );
}

const codesFitU8 = (p: { qmin: number; qmax: number }): boolean => p.qmin >= 0 && p.qmax <= 255;

/** What stops this model from running exactly on the engine, or null when nothing does. */
export function int8Unsupported(model: IntegerModel): Int8Fallback | null {
  if (model.accumulatorBits > 32) {
    return fail(
      'accumulator-too-wide',
      `the worst-case accumulator needs ${model.accumulatorBits} bits; the engine has int32`,
    );
  }
  if (model.inputParams.scale.length !== 1 || !codesFitU8(model.inputParams)) {
    return fail('activations-too-wide', 'the input grid is not one 8-bit (or narrower) grid');
  }
  for (const op of model.ops) {
    if (op.kind !== 'dense' && op.kind !== 'conv') continue;
    const { layer } = op;
    if (layer.wideBias) return fail('accumulator-too-wide', `${op.name} has biases beyond int32`);
    if (layer.inputParams.scale.length !== 1 || !codesFitU8(layer.inputParams)) {
      return fail('activations-too-wide', `${op.name}: input codes need more than 8 bits`);
    }
    if (!op.last && !op.lut && !codesFitU8(layer.outputParams)) {
      return fail('activations-too-wide', `${op.name}: output codes need more than 8 bits`);
    }
    if (op.lut && op.lut.some((q) => q < 0 || q > 255)) {
      return fail('activations-too-wide', `${op.name}: lookup table codes need more than 8 bits`);
    }
    if (!op.last) {
      const m = multipliers(op);
      if (m.some((v) => !(Number.isFinite(v) && Math.abs(v) < MAX_MULTIPLIER))) {
        return fail('multiplier-out-of-range', `${op.name}: a requantization multiplier ≥ 2^20`);
      }
    }
    if (op.kind === 'conv' && layer.kernelShape.length !== 4) {
      return fail('unsupported-model', `${op.name}: conv kernel is not HWIO`);
    }
  }
  return null;
}

/** The shape per example entering each op, or a reason; stops after the last weight layer. */
function addOps(
  ex: EngineExports,
  model: IntegerModel,
  choice: number,
): { names: string[]; opIndex: number[]; kernels: Int8Kernel[]; last: WeightOp } | Int8Fallback {
  let shape = [...model.inputShape];
  const kernels: Int8Kernel[] = [];
  const names: string[] = [];
  const opIndex: number[] = [];
  let engineOps = 0;
  const oom = fail('out-of-memory', 'the engine could not grow its memory');
  const ops = model.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.kind === 'flatten') {
      shape = [shape.reduce((a, b) => a * b, 1)];
      continue;
    }
    if (op.kind === 'maxpool') {
      if (shape.length !== 3) return fail('unsupported-model', 'max pooling needs h × w × c input');
      const [h, w, c] = shape as [number, number, number];
      if (!ex.i8_pool(h, w, c)) return oom;
      shape = [Math.floor(h / 2), Math.floor(w / 2), c];
      engineOps++;
      continue;
    }
    const { layer } = op;
    const ks = layer.kernelShape;
    const outC = ks[ks.length - 1]!;
    let dims: [number, number, number, number, number];
    let pool = false;
    if (op.kind === 'conv') {
      const [kh, kw, kc] = ks as [number, number, number, number];
      const [h, w, c] = shape as [number, number, number];
      if (shape.length !== 3 || c !== kc || kh > h || kw > w) {
        return fail('unsupported-model', `${op.name}: input [${shape.join(', ')}] vs HWIO kernel`);
      }
      dims = [h, w, c, kh, kw];
      shape = [h - kh + 1, w - kw + 1, outC];
      // max(q(a), q(b)) = q(max(a, b)) for monotone q (M_c > 0): pool the accumulators, then requantize.
      pool = !op.last && ops[i + 1]?.kind === 'maxpool' && multipliers(op).every((m) => m > 0);
      if (pool) {
        shape = [Math.floor(shape[0]! / 2), Math.floor(shape[1]! / 2), outC];
        i++;
      }
    } else {
      const inDim = ks[0]!;
      const features = shape.reduce((a, b) => a * b, 1);
      if (ks.length !== 2 || features % inDim !== 0) {
        return fail('unsupported-model', `${op.name}: ${features} values per example vs ${inDim}`);
      }
      dims = [features / inDim, 1, inDim, 1, 1];
      shape = [...shape.slice(0, -1), outC];
    }
    const weights = int8Weights(op);
    if (!weights) return fail('weights-too-wide', `${op.name}: a channel spans over 256 codes`);
    const out = layer.outputParams;
    const z = out.zeroPoint[0]!;
    const lo = layer.relu ? Math.max(out.qmin, z) : out.qmin;
    const ptrs = [
      copyIn(ex, weights.w8),
      copyIn(ex, layer.bias),
      copyIn(ex, multipliers(op)),
      weights.d ? copyIn(ex, weights.d) : -1,
      op.lut ? copyIn(ex, op.lut) : -1,
      copyIn(
        ex,
        Float64Array.from({ length: outC }, (_, c) => perChannel(layer.weightParams.scale, c)),
      ),
    ];
    if (ptrs.includes(0)) return oom;
    const [raw, bias, mult, d, lut, ws] = ptrs.map((p) => Math.max(p, 0)) as number[];
    const kernel = ex.i8_gemm(
      ...dims,
      outC,
      raw!,
      bias!,
      layer.inputParams.zeroPoint[0]!,
      layer.inputParams.qmax,
      mult!,
      d!,
      z,
      lo,
      out.qmax,
      lut!,
      op.lut?.length ?? 0,
      out.qmin,
      op.last ? 1 : 0,
      layer.inputParams.scale[0]!,
      ws!,
      choice,
      pool ? 1 : 0,
    );
    if (!kernel) return oom;
    kernels.push(KERNELS[kernel]!);
    names.push(op.name);
    opIndex.push(engineOps++);
    if (op.last) return { names, opIndex, kernels, last: op };
  }
  return fail('unsupported-model', 'the integer model has no output layer');
}

/** Loads the engine and copies the model in once; Int8Fallback says why it cannot run there. */
export async function prepareInt8Model(
  model: IntegerModel,
  options: Int8Options = {},
): Promise<Int8Handle | Int8Fallback> {
  const unsupported = int8Unsupported(model);
  if (unsupported) return unsupported;
  const engine = options.engine ?? (await loadEngine({ prefer: options.prefer }));
  if (isFallback(engine)) return engine;
  const ex = instantiate(engine);
  if (isFallback(ex)) return ex;
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  const p = model.inputParams;
  if (!ex.i8_begin(features, p.scale[0]!, p.zeroPoint[0]!, p.qmin, p.qmax)) {
    return fail('out-of-memory', 'the engine could not grow its memory');
  }
  const added = addOps(ex, model, CHOICE[options.kernel ?? 'auto']);
  if (isFallback(added)) return added;
  const handle: Int8Handle = {
    path: engine.path,
    names: added.names,
    opIndex: added.opIndex,
    kernels: added.kernels,
    features,
    outputSize: ex.i8_output_size(),
    engineBytes: ex.allocatedBytes(),
    exports: ex,
    lastActivation: added.last.activation ?? 'linear',
  };
  if (options.kernel === 'measure') chooseInt8Kernels(handle, options.measureBatch ?? 8);
  return handle;
}

/** Kernels layer `i` can run in this build: fixed always; relaxed ones on the relaxed build. */
function kernelsFor(handle: Int8Handle, i: number): Int8Kernel[] {
  const ex = handle.exports;
  const op = handle.opIndex[i]!;
  const current = ex.i8_kernel(op);
  const out = (Object.keys(KERNEL_CODE) as Int8Kernel[]).filter((k) =>
    ex.i8_set_kernel(op, KERNEL_CODE[k]),
  );
  ex.i8_set_kernel(op, current);
  return out;
}

export interface Int8LayerTiming {
  name: string;
  /** Median ms of the layer alone at the batch, per kernel it can run. */
  ms: Partial<Record<Int8Kernel, number>>;
}

/** Median ms of each conv / dense layer alone at `batch`, per kernel, timed in turn (current kernels are kept). */
export function int8LayerTimings(handle: Int8Handle, batch: number, runs = 7): Int8LayerTiming[] {
  const ex = handle.exports;
  if (ex.i8_input(batch) === 0) throw new RangeError('The int8 engine could not grow its memory.');
  return handle.names.map((name, i) => {
    const op = handle.opIndex[i]!;
    const kernels = kernelsFor(handle, i);
    const medians = interleavedMedianMs(
      kernels.map((kernel) => () => {
        ex.i8_set_kernel(op, KERNEL_CODE[kernel]);
        ex.i8_run_op(op, batch);
      }),
      runs,
    );
    ex.i8_set_kernel(op, KERNEL_CODE[handle.kernels[i]!]);
    const ms: Partial<Record<Int8Kernel, number>> = {};
    kernels.forEach((kernel, k) => (ms[kernel] = medians[k]));
    return { name, ms };
  });
}

/** Per layer the fastest kernel at `batch` (all give identical codes), set on the handle and returned. */
export function chooseInt8Kernels(handle: Int8Handle, batch: number, runs = 7): Int8Kernel[] {
  const timings = int8LayerTimings(handle, batch, runs);
  timings.forEach(({ ms }, i) => {
    const [best] = (Object.entries(ms) as [Int8Kernel, number][]).sort((a, b) => a[1] - b[1]);
    if (best) setInt8Kernel(handle, i, best[0]);
  });
  return [...handle.kernels];
}

/** Runs conv / dense layer `i` with `kernel`; false where the build or its codes do not allow it. */
export function setInt8Kernel(handle: Int8Handle, i: number, kernel: Int8Kernel): boolean {
  const op = handle.opIndex[i];
  if (op === undefined || !handle.exports.i8_set_kernel(op, KERNEL_CODE[kernel])) return false;
  handle.kernels[i] = kernel;
  return true;
}

function activate(name: string, v: number): number {
  if (name === 'tanh') return Math.tanh(v);
  if (name === 'sigmoid') return 1 / (1 + Math.exp(-v));
  if (name === 'relu') return Math.max(0, v);
  return v;
}

/** Logits y[batch, outputSize] of x (row-major [batch, …inputShape]), = runIntegerModel(model, x, batch). */
export function runInt8(handle: Int8Handle, x: Float32Array, batch: number): Float32Array {
  const ex = handle.exports;
  const calls = { input: ex.i8_input, run: ex.i8_run, what: 'int8' };
  const y = runBatch(ex, calls, x, batch, handle);
  const act = handle.lastActivation;
  return act === 'linear' ? y : y.map((v) => activate(act, v));
}

export interface Int8Predictor {
  /** logits = runInt8(handle, x, batch) */
  predict(x: Float32Array, batch: number): Float32Array;
  path: KernelPath;
  kernels: Int8Kernel[];
}

/**
 * The engine's predict for an integer model (kernels chosen by measurement unless options.kernel
 * says otherwise), or the typed reason the caller falls back.
 */
export async function int8Predictor(
  model: IntegerModel,
  options: Int8Options = {},
): Promise<Int8Predictor | Int8Fallback> {
  const handle = await prepareInt8Model(model, { kernel: 'measure', ...options });
  if (isFallback(handle)) return handle;
  return {
    predict: (x, batch) => runInt8(handle, x, batch),
    path: handle.path,
    kernels: [...handle.kernels],
  };
}
