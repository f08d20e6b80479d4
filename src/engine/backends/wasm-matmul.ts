import * as tf from '@tensorflow/tfjs';
// Side effect: the wasm kernels must be registered before we look them up or override one.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo } from '@tensorflow/tfjs';

/** The part of tfjs-backend-wasm's BackendWasm this file touches (it has no public type). */
interface WasmBackend {
  disposeData(dataId: object): boolean;
}

type KernelArgs = Parameters<KernelFunc>[0];

/** Kernels whose wasm version leaves XNNPACK for a naive triple loop when asked to transpose. */
export const UNTRANSPOSED_MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'] as const;

function matrixCount(x: TensorInfo): number {
  return tf.util.sizeFromShape(x.shape.slice(0, -2));
}

/** xᵀ over the last two axes, as a new wasm tensor (the Transpose kernel always copies). */
function transposeLastTwo(backend: WasmBackend, x: TensorInfo): TensorInfo {
  const rank = x.shape.length;
  const perm = [...Array.from({ length: rank - 2 }, (_, i) => i), rank - 1, rank - 2];
  const kernel = tf.getKernel('Transpose', 'wasm');
  if (kernel === undefined) throw new Error('wasm kernel Transpose is not registered');
  return kernel.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
}

/**
 * Wraps a stock matmul kernel: op(A)·op(B) with op = ᵀ is computed as A'·B' where A' = Aᵀ and
 * B' = Bᵀ are copied first, since tfjs-backend-wasm runs XNNPACK only for untransposed single
 * matrices (batch 1) and a naive loop otherwise: the reference CNN's dense backward 25 → 4 ms a step.
 * Batched products stay on the stock kernel, whose loop is no faster untransposed.
 */
export function makeUntransposedMatMul(stock: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { a, b } = args.inputs;
    const { transposeA, transposeB } = args.attrs as { transposeA?: boolean; transposeB?: boolean };
    if (a === undefined || b === undefined || (!transposeA && !transposeB)) return stock(args);
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return stock(args);
    if (matrixCount(a) !== 1 || matrixCount(b) !== 1) return stock(args);
    const backend = args.backend as WasmBackend;
    const aT = transposeA ? transposeLastTwo(backend, a) : a;
    const bT = transposeB ? transposeLastTwo(backend, b) : b;
    try {
      return stock({
        ...args,
        inputs: { ...args.inputs, a: aT, b: bT },
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (aT !== a) backend.disposeData(aT.dataId);
      if (bT !== b) backend.disposeData(bT.dataId);
    }
  };
}

let registered = false;

/**
 * Overrides wasm BatchMatMul and _FusedMatMul so op(A)·op(B) with transposes runs on XNNPACK
 * (the backward pass of every dense layer: dX = dY·Wᵀ, dW = Xᵀ·dY); idempotent.
 */
export function registerWasmUntransposedMatMul(): void {
  if (registered) return;
  for (const name of UNTRANSPOSED_MATMUL_KERNELS) {
    const stock = tf.getKernel(name, 'wasm');
    if (stock === undefined) throw new Error('tfjs-backend-wasm kernels are not registered');
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ ...stock, kernelFunc: makeUntransposedMatMul(stock.kernelFunc) });
  }
  registered = true;
}
