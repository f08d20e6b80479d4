/**
 * The fused training kernels as tfjs-wasm kernels: each reads and writes tfjs tensors in place
 * through byte offsets on the heap. Batch-wise kernels run on the two fixed halves of the batch
 * (TrainThreads), and sums over the batch add the second half's partial into the first's, so one
 * thread and two give the same bits.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs';
import type { ThreadedKernel } from './train-thread-protocol';
import type { TrainThreads } from './train-threads';
import { halves } from './train-threads';

/** Kernel names registered on the wasm backend. */
export const ACT_GRAD = 'PlaygroundActGrad';
export const FILTER_GRAD = 'PlaygroundConvFilterGrad';
export const INPUT_GRAD = 'PlaygroundConvInputGrad';
export const ADAM = 'PlaygroundAdam';
export const CONV_FORWARD = 'PlaygroundConvForward';

/** Activation codes of the kernels. */
export const ACTIVATION_CODE = { linear: 0, relu: 1, tanh: 2, sigmoid: 3 } as const;
export type FusedActivation = keyof typeof ACTIVATION_CODE;

type Kernel = (...args: number[]) => void;

/** The module's exports (assembly/training.ts); pointers are byte offsets in tfjs's memory. */
export type TrainingExports = Record<
  ThreadedKernel | 't_filter_transpose' | 't_add' | 't_adam',
  Kernel
>;

/** The parts of tfjs-backend-wasm's BackendWasm these kernels touch (it has no public type). */
export interface WasmBackend {
  wasm: {
    wasmMemory?: WebAssembly.Memory;
    asm?: { memory?: WebAssembly.Memory };
    _malloc?: (bytes: number) => number;
  };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object): boolean;
}

/** The module on one backend's memory, and its second thread when one runs. */
export interface Bound {
  exports: TrainingExports;
  threads: TrainThreads | null;
}

type Args = Parameters<KernelFunc>[0];
type Binder = (backend: WasmBackend) => Bound;

function offset(backend: WasmBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor data is not on the wasm heap');
  return data.memoryOffset;
}

/** kernel(args(b0, b1)) over both halves of n: on two threads when they run, else in order. */
function overBatch(
  b: Bound,
  kernel: ThreadedKernel,
  n: number,
  args: (b0: number, b1: number) => number[],
): void {
  if (b.threads) {
    b.threads.run(b.exports, kernel, n, args);
    return;
  }
  for (const [b0, b1] of halves(n)) b.exports[kernel](...args(b0, b1));
}

/** Sums a batch-wise kernel's two partials: the first half writes `out`, the second a scratch. */
function summedOverBatch(
  backend: WasmBackend,
  b: Bound,
  kernel: ThreadedKernel,
  n: number,
  out: TensorInfo,
  args: (b0: number, b1: number, sum: number) => number[],
): void {
  const scratch = backend.makeOutput([...out.shape], 'float32');
  const [first] = halves(n);
  const target = offset(backend, out);
  const partial = offset(backend, scratch);
  overBatch(b, kernel, n, (b0, b1) => args(b0, b1, b0 === first[0] ? target : partial));
  b.exports.t_add(target, partial, tf.util.sizeFromShape(out.shape));
  backend.disposeData(scratch.dataId);
}

/**
 * y = f(conv(x, W) + b) (valid, stride 1; f = ReLU or linear) and, with `pooled`, p =
 * maxpool₂(y): outputs [p, y], else [y].
 */
function convForward(bind: Binder, args: Args): TensorInfo[] {
  const backend = args.backend as unknown as WasmBackend;
  const attrs: NamedAttrMap = args.attrs ?? {};
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
  const [xo, fo, bo, yo] = [x!, filter!, bias!, y].map((t) => offset(backend, t));
  const po = p ? offset(backend, p) : 0;
  overBatch(bind(backend), 't_conv_forward', n, (b0, b1) => [
    xo!,
    fo!,
    bo!,
    yo!,
    po,
    b0,
    b1,
    h,
    w,
    ci,
    k,
    co,
    act,
    p ? 1 : 0,
  ]);
  return p ? [p, y] : [y];
}

/** [dz, db]: dz = f'(y) ⊙ dy (dy routed through the 2×2 pool when `pooled`), db = Σ dz. */
function actGrad(bind: Binder, args: Args): TensorInfo[] {
  const backend = args.backend as unknown as WasmBackend;
  const attrs: NamedAttrMap = args.attrs ?? {};
  const { y, dy } = args.inputs as { y: TensorInfo; dy: TensorInfo };
  const [n, h, w, c] = y.shape as [number, number, number, number];
  const dz = backend.makeOutput([...y.shape], 'float32');
  const db = backend.makeOutput([c], 'float32');
  const [yo, dyo, dzo] = [y, dy, dz].map((t) => offset(backend, t));
  const act = Number(attrs.activation);
  const pooled = attrs.pooled ? 1 : 0;
  summedOverBatch(backend, bind(backend), 't_act_grad', n, db, (b0, b1, sum) => [
    yo!,
    dyo!,
    dzo!,
    sum,
    b0,
    b1,
    h,
    w,
    c,
    act,
    pooled,
  ]);
  return [dz, db];
}

/** dW [k, k, ci, co] of a valid stride-1 conv from its input x and output gradient dz. */
function filterGrad(bind: Binder, args: Args): TensorInfo {
  const backend = args.backend as unknown as WasmBackend;
  const { x, dz } = args.inputs as { x: TensorInfo; dz: TensorInfo };
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [, oh, , co] = dz.shape as [number, number, number, number];
  const k = h - oh + 1;
  const dw = backend.makeOutput([k, k, ci, co], 'float32');
  const [xo, dzo] = [x, dz].map((t) => offset(backend, t));
  summedOverBatch(backend, bind(backend), 't_filter_grad', n, dw, (b0, b1, sum) => [
    xo!,
    dzo!,
    sum,
    b0,
    b1,
    h,
    w,
    ci,
    k,
    co,
  ]);
  return dw;
}

/** dx [n, oh+k−1, ow+k−1, ci] of a valid stride-1 conv from dz and its filter [k, k, ci, co]. */
function inputGrad(bind: Binder, args: Args): TensorInfo {
  const backend = args.backend as unknown as WasmBackend;
  const { dz, filter } = args.inputs as { dz: TensorInfo; filter: TensorInfo };
  const [n, oh, ow, co] = dz.shape as [number, number, number, number];
  const [k, , ci] = filter.shape as [number, number, number, number];
  const b = bind(backend);
  const wt = backend.makeOutput([k * k * ci * co], 'float32');
  const dx = backend.makeOutput([n, oh + k - 1, ow + k - 1, ci], 'float32');
  const [dzo, wto, dxo] = [dz, wt, dx].map((t) => offset(backend, t));
  b.exports.t_filter_transpose(offset(backend, filter), wto!, k, ci, co);
  overBatch(b, 't_input_grad', n, (b0, b1) => [dzo!, wto!, dxo!, b0, b1, oh, ow, co, k, ci]);
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
function adam(bind: Binder, args: Args): TensorInfo[] {
  const backend = args.backend as unknown as WasmBackend;
  const { value, gradient, m, v } = args.inputs as Record<string, TensorInfo>;
  const a = args.attrs as unknown as AdamAttrs;
  const shape = [...value!.shape];
  const out = [0, 1, 2].map(() => backend.makeOutput(shape, 'float32'));
  const f = Math.fround;
  bind(backend).exports.t_adam(
    ...[value!, gradient!, m!, v!, ...out].map((t) => offset(backend, t)),
    tf.util.sizeFromShape(shape),
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

/** Registers the kernels on the wasm backend (once); `bind` finds the module for a backend. */
export function registerFusedKernels(bind: Binder): void {
  const kernels: [string, (bind: Binder, args: Args) => TensorInfo | TensorInfo[]][] = [
    [CONV_FORWARD, convForward],
    [ACT_GRAD, actGrad],
    [FILTER_GRAD, filterGrad],
    [INPUT_GRAD, inputGrad],
    [ADAM, adam],
  ];
  for (const [kernelName, f] of kernels) {
    if (tf.getKernel(kernelName, 'wasm') !== undefined) continue;
    const kernelFunc = ((args: Args) => f(bind, args)) as unknown as KernelFunc;
    tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc });
  }
}

/**
 * Milliseconds of the reference CNN's second conv block (forward and filter gradient, batch 64)
 * on one thread and on two, the least of five runs each, and whether both gave the same bits.
 */
export function timeThreadChoice(b: Bound): { one: number; two: number; same: boolean } {
  if (!b.threads) throw new Error('no second thread to time');
  const threads = b.threads;
  return tf.tidy(() => {
    const x = tf.randomUniform([64, 13, 13, 16], 0, 1, 'float32', 1);
    const filter = tf.randomNormal([3, 3, 16, 32], 0, 0.2, 'float32', 2);
    const bias = tf.randomNormal([32], 0, 0.1, 'float32', 3);
    const once = () =>
      tf.tidy(() => {
        const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
          tf.engine().runKernel(name, inputs, attrs as NamedAttrMap) as unknown as tf.Tensor[];
        const [p, y] = run(CONV_FORWARD, { x, filter, bias }, { activation: 1, pooled: true });
        const dw = run(FILTER_GRAD, { x, dz: y! }, {}) as unknown as tf.Tensor;
        return tf.keep(tf.concat([p!.flatten(), dw.flatten()]));
      });
    const least = (enabled: boolean) => {
      threads.enabled = enabled;
      const values = once();
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        tf.dispose(once());
        best = Math.min(best, performance.now() - t0);
      }
      const data = values.dataSync();
      values.dispose();
      return { best, values: data };
    };
    const one = least(false);
    const two = least(true);
    const same = one.values.every((v, i) => Object.is(v, two.values[i]));
    return { one: one.best, two: two.best, same };
  });
}
