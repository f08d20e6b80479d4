/**
 * Our own SIMD training kernels (kernels/assembly/training.ts) registered on tfjs-wasm: they run
 * inside tfjs's wasm memory (the module imports it), on its tensors in place, so a kernel call
 * copies nothing. Loaded once per worker by loadFusedTraining(); until then, or on another
 * backend, fusedTrainingActive() is false and training takes tfjs's own kernels.
 */
import * as tf from '@tensorflow/tfjs';
// Side effect: the wasm backend must be registered before kernels are registered for it.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { Fallback, KernelPath } from '../kernels/engine';
import { isFallback, loadEngine, readBytes } from '../kernels/engine';

/** Kernel names registered on the wasm backend. */
export const ACT_GRAD = 'PlaygroundActGrad';
export const FILTER_GRAD = 'PlaygroundConvFilterGrad';
export const INPUT_GRAD = 'PlaygroundConvInputGrad';
export const ADAM = 'PlaygroundAdam';
export const CONV_FORWARD = 'PlaygroundConvForward';

/** Activation codes of t_act_grad. */
export const ACTIVATION_CODE = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 } as const;
export type FusedActivation = keyof typeof ACTIVATION_CODE;

interface TrainingExports {
  t_act_grad(
    y: number,
    dy: number,
    dz: number,
    db: number,
    n: number,
    h: number,
    w: number,
    c: number,
    act: number,
    pooled: number,
  ): void;
  t_filter_grad(
    x: number,
    dz: number,
    dw: number,
    n: number,
    h: number,
    w: number,
    ci: number,
    k: number,
    co: number,
  ): void;
  t_filter_transpose(w: number, wt: number, k: number, ci: number, co: number): void;
  t_input_grad(
    dz: number,
    wt: number,
    dx: number,
    n: number,
    oh: number,
    ow: number,
    co: number,
    k: number,
    ci: number,
  ): void;
  t_conv_forward(
    x: number,
    w: number,
    bias: number,
    y: number,
    p: number,
    b0: number,
    b1: number,
    h: number,
    width: number,
    ci: number,
    k: number,
    co: number,
    act: number,
    pooled: number,
  ): void;
  t_adam(
    value: number,
    grad: number,
    m: number,
    v: number,
    outValue: number,
    outM: number,
    outV: number,
    count: number,
    beta1: number,
    c1: number,
    beta2: number,
    c2: number,
    a1: number,
    a2: number,
    eps: number,
    negLr: number,
  ): void;
}

/** The parts of tfjs-backend-wasm's BackendWasm these kernels touch (it has no public type). */
interface WasmBackend {
  wasm: { wasmMemory?: WebAssembly.Memory; asm?: { memory?: WebAssembly.Memory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object): boolean;
}

interface Loaded {
  path: KernelPath;
  plain: WebAssembly.Module;
  shared: WebAssembly.Module;
}

let enabled = true;
let loaded: Loaded | null = null;
let pending: Promise<Loaded | Fallback> | null = null;
const bound = new WeakMap<WebAssembly.Memory, TrainingExports>();

function moduleUrl(path: KernelPath, shared: boolean): URL {
  if (path === 'relaxed-simd') {
    return shared
      ? new URL('../kernels/build/train-relaxed-shared.wasm', import.meta.url)
      : new URL('../kernels/build/train-relaxed.wasm', import.meta.url);
  }
  return shared
    ? new URL('../kernels/build/train-simd-shared.wasm', import.meta.url)
    : new URL('../kernels/build/train-simd.wasm', import.meta.url);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function load(): Promise<Loaded | Fallback> {
  // The inference engine's loader decides relaxed vs fixed SIMD (with its self-test).
  const engine = await loadEngine();
  if (isFallback(engine)) return engine;
  try {
    const [plain, shared] = await Promise.all(
      [false, true].map(async (s) =>
        WebAssembly.compile(await readBytes(moduleUrl(engine.path, s))),
      ),
    );
    return { path: engine.path, plain: plain!, shared: shared! };
  } catch (error) {
    return { fallback: 'load-failed', detail: `training kernels: ${describe(error)}` };
  }
}

/**
 * Loads the training kernels (once) and registers them on the wasm backend; the kernel path that
 * runs, or why they cannot (training then keeps tfjs's kernels).
 */
export async function loadFusedTraining(): Promise<{ path: KernelPath } | Fallback> {
  if (!enabled) return { fallback: 'disabled', detail: 'turned off for this worker' };
  pending ??= load();
  const result = await pending;
  if (isFallback(result)) {
    pending = null; // a later call may find the file
    return result;
  }
  loaded = result;
  registerKernels();
  return { path: result.path };
}

function memoryOf(backend: WasmBackend): WebAssembly.Memory | undefined {
  return backend.wasm.wasmMemory ?? backend.wasm.asm?.memory;
}

function exportsFor(backend: WasmBackend): TrainingExports {
  const memory = memoryOf(backend);
  if (!loaded || !memory) throw new Error('the fused training kernels are not loaded');
  let ex = bound.get(memory);
  if (!ex) {
    const shared =
      typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
    const instance = new WebAssembly.Instance(shared ? loaded.shared : loaded.plain, {
      env: { memory },
    });
    ex = instance.exports as unknown as TrainingExports;
    bound.set(memory, ex);
  }
  return ex;
}

/** Keeps this worker on tfjs's kernels (the bench's "before" figure); call before loading. */
export function disableFusedTraining(): void {
  enabled = false;
}

/** True when training may use the fused kernels: loaded, and the active backend is wasm. */
export function fusedTrainingActive(): boolean {
  if (!enabled || !loaded || tf.getBackend() !== 'wasm') return false;
  return memoryOf(tf.backend() as unknown as WasmBackend) !== undefined;
}

function offset(backend: WasmBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor data is not on the wasm heap');
  return data.memoryOffset;
}

type Args = Parameters<KernelFunc>[0];

function parts(args: Args): { backend: WasmBackend; attrs: NamedAttrMap } {
  return { backend: args.backend as unknown as WasmBackend, attrs: args.attrs ?? {} };
}

/**
 * y = f(conv(x, W) + b) (valid, stride 1; f = ReLU or linear) and, with `pooled`, p =
 * maxpool₂(y): outputs [p, y], else [y].
 */
function convForward(args: Args): TensorInfo[] {
  const { backend, attrs } = parts(args);
  const { x, filter, bias } = args.inputs as Record<string, TensorInfo>;
  const [n, h, w, ci] = x!.shape as [number, number, number, number];
  const [k, , , co] = filter!.shape as [number, number, number, number];
  const act = Number(attrs.activation);
  if (act !== ACTIVATION_CODE.relu && act !== ACTIVATION_CODE.linear)
    throw new Error('the fused conv forward computes ReLU or linear blocks only');
  const oh = h - k + 1;
  const ow = w - k + 1;
  const y = backend.makeOutput([n, oh, ow, co], 'float32');
  const p = attrs.pooled ? backend.makeOutput([n, oh >> 1, ow >> 1, co], 'float32') : null;
  exportsFor(backend).t_conv_forward(
    offset(backend, x!),
    offset(backend, filter!),
    offset(backend, bias!),
    offset(backend, y),
    p ? offset(backend, p) : 0,
    0,
    n,
    h,
    w,
    ci,
    k,
    co,
    act,
    p ? 1 : 0,
  );
  return p ? [p, y] : [y];
}

/** [dz, db]: dz = f'(y) ⊙ dy (dy routed through the 2×2 pool when `pooled`), db = Σ dz. */
function actGrad(args: Args): TensorInfo[] {
  const { backend, attrs } = parts(args);
  const { y, dy } = args.inputs as { y: TensorInfo; dy: TensorInfo };
  const [n, h, w, c] = y.shape as [number, number, number, number];
  const dz = backend.makeOutput([...y.shape], 'float32');
  const db = backend.makeOutput([c], 'float32');
  const act = Number(attrs.activation);
  const pooled = attrs.pooled ? 1 : 0;
  exportsFor(backend).t_act_grad(
    offset(backend, y),
    offset(backend, dy),
    offset(backend, dz),
    offset(backend, db),
    n,
    h,
    w,
    c,
    act,
    pooled,
  );
  return [dz, db];
}

/** dW [k, k, ci, co] of a valid stride-1 conv from its input x and output gradient dz. */
function filterGrad(args: Args): TensorInfo {
  const { backend } = parts(args);
  const { x, dz } = args.inputs as { x: TensorInfo; dz: TensorInfo };
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [, oh, , co] = dz.shape as [number, number, number, number];
  const k = h - oh + 1;
  const dw = backend.makeOutput([k, k, ci, co], 'float32');
  exportsFor(backend).t_filter_grad(
    offset(backend, x),
    offset(backend, dz),
    offset(backend, dw),
    n,
    h,
    w,
    ci,
    k,
    co,
  );
  return dw;
}

/** dx [n, oh+k−1, ow+k−1, ci] of a valid stride-1 conv from dz and its filter [k, k, ci, co]. */
function inputGrad(args: Args): TensorInfo {
  const { backend } = parts(args);
  const { dz, filter } = args.inputs as { dz: TensorInfo; filter: TensorInfo };
  const [n, oh, ow, co] = dz.shape as [number, number, number, number];
  const [k, , ci] = filter.shape as [number, number, number, number];
  const ex = exportsFor(backend);
  const wt = backend.makeOutput([k * k * ci * co], 'float32');
  const dx = backend.makeOutput([n, oh + k - 1, ow + k - 1, ci], 'float32');
  ex.t_filter_transpose(offset(backend, filter), offset(backend, wt), k, ci, co);
  ex.t_input_grad(
    offset(backend, dz),
    offset(backend, wt),
    offset(backend, dx),
    n,
    oh,
    ow,
    co,
    k,
    ci,
  );
  backend.disposeData(wt.dataId);
  return dx;
}

/** Scalars of one Adam step (each rounded to float32 as tfjs's scalar tensors are). */
export interface AdamAttrs {
  beta1: number;
  beta2: number;
  /** 1 − β₁^t and 1 − β₂^t. */
  a1: number;
  a2: number;
  epsilon: number;
  learningRate: number;
}

/** [θ', m', v'] of one Adam step for one variable (t_adam). */
function adam(args: Args): TensorInfo[] {
  const { backend, attrs } = parts(args);
  const { value, gradient, m, v } = args.inputs as Record<string, TensorInfo>;
  const a = attrs as unknown as AdamAttrs;
  const shape = [...value!.shape];
  const out = [0, 1, 2].map(() => backend.makeOutput(shape, 'float32'));
  const f = Math.fround;
  exportsFor(backend).t_adam(
    offset(backend, value!),
    offset(backend, gradient!),
    offset(backend, m!),
    offset(backend, v!),
    offset(backend, out[0]!),
    offset(backend, out[1]!),
    offset(backend, out[2]!),
    shape.reduce((p, d) => p * d, 1),
    f(a.beta1),
    f(1 - a.beta1),
    f(a.beta2),
    f(1 - a.beta2),
    f(a.a1),
    f(a.a2),
    f(a.epsilon),
    f(-a.learningRate),
  );
  return out;
}

function registerKernels(): void {
  const kernels: [string, KernelFunc][] = [
    [ACT_GRAD, actGrad as unknown as KernelFunc],
    [FILTER_GRAD, filterGrad as unknown as KernelFunc],
    [INPUT_GRAD, inputGrad as unknown as KernelFunc],
    [ADAM, adam as unknown as KernelFunc],
    [CONV_FORWARD, convForward as unknown as KernelFunc],
  ];
  for (const [kernelName, kernelFunc] of kernels) {
    if (tf.getKernel(kernelName, 'wasm') === undefined)
      tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}
