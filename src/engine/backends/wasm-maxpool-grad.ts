import * as tf from '@tensorflow/tfjs';
// Side effect: the wasm kernels must be registered before we look them up or override one.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel touches (it has no public type). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
}

type KernelArgs = Parameters<KernelFunc>[0];
type Shape4 = [number, number, number, number];
type Shape3 = [number, number, number];
type PoolInfo = ReturnType<typeof tf.backend_util.computePool2DInfo>;

function heapIndex(backend: WasmBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor data is not on the wasm heap');
  return data.memoryOffset / 4;
}

/**
 * dx for 2×2 windows at stride 2 starting at the top-left corner, NHWC: each window passes its
 * dy to the first strict maximum in row-major order (the cpu backend's choice, which matters
 * after a ReLU, where windows of zeros tie) and 0 to the others; inputs no window covers get 0.
 * Windows cut by the bottom or right edge ('same' padding, odd sizes) use only their inside.
 */
function maxPool2x2Grad(
  heap: Float32Array,
  [B, H, W, C]: Shape4,
  [OH, OW]: [number, number],
  x0: number,
  dy0: number,
  dx0: number,
): void {
  if (2 * OH < H || 2 * OW < W) heap.fill(0, dx0, dx0 + B * H * W * C);
  const down = W * C;
  let g = dy0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const rows = 2 * oh + 1 < H ? 2 : 1;
      for (let ow = 0; ow < OW; ow++) {
        const cols = 2 * ow + 1 < W ? 2 : 1;
        const p0 = ((b * H + 2 * oh) * W + 2 * ow) * C;
        if (rows === 2 && cols === 2) {
          for (let p = p0, end = p0 + C; p < end; p++, g++) {
            const v0 = heap[x0 + p] as number;
            const v1 = heap[x0 + p + C] as number;
            const v2 = heap[x0 + p + down] as number;
            const v3 = heap[x0 + p + down + C] as number;
            let best = -Infinity;
            let k = -1;
            if (v0 > best) {
              best = v0;
              k = 0;
            }
            if (v1 > best) {
              best = v1;
              k = 1;
            }
            if (v2 > best) {
              best = v2;
              k = 2;
            }
            if (v3 > best) k = 3;
            const d = heap[g] as number;
            heap[dx0 + p] = k === 0 ? d : 0;
            heap[dx0 + p + C] = k === 1 ? d : 0;
            heap[dx0 + p + down] = k === 2 ? d : 0;
            heap[dx0 + p + down + C] = k === 3 ? d : 0;
          }
          continue;
        }
        for (let c = 0; c < C; c++, g++) {
          let best = -Infinity;
          let at = -1;
          for (let r = 0; r < rows; r++) {
            for (let s = 0; s < cols; s++) {
              const p = p0 + r * down + s * C + c;
              const v = heap[x0 + p] as number;
              if (v > best) {
                best = v;
                at = p;
              }
              heap[dx0 + p] = 0;
            }
          }
          if (at >= 0) heap[dx0 + at] = heap[g] as number;
        }
      }
    }
  }
}

/**
 * Any other pool (NHWC, dilation 1): dx = 0, then each window adds its dy at its first strict
 * maximum inside the input (padding never wins), so overlapping windows accumulate as on cpu.
 * The stock wasm kernel disagrees with cpu when a padded window holds only negative values.
 */
function maxPoolGradGeneral(
  heap: Float32Array,
  info: PoolInfo,
  x0: number,
  dy0: number,
  dx0: number,
) {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C, outHeight: OH } = info;
  const { outWidth: OW, filterHeight: FH, filterWidth: FW, strideHeight: sh } = info;
  const { strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  heap.fill(0, dx0, dx0 + B * H * W * C);
  let g = dy0;
  for (let b = 0; b < B; b++) {
    for (let oh = 0; oh < OH; oh++) {
      const ihLo = Math.max(0, oh * sh - top);
      const ihHi = Math.min(H, oh * sh - top + FH);
      for (let ow = 0; ow < OW; ow++) {
        const iwLo = Math.max(0, ow * sw - left);
        const iwHi = Math.min(W, ow * sw - left + FW);
        for (let c = 0; c < C; c++, g++) {
          let best = -Infinity;
          let at = -1;
          for (let ih = ihLo; ih < ihHi; ih++) {
            for (let iw = iwLo; iw < iwHi; iw++) {
              const p = ((b * H + ih) * W + iw) * C + c;
              const v = heap[x0 + p] as number;
              if (v > best) {
                best = v;
                at = p;
              }
            }
          }
          if (at >= 0) heap[dx0 + at] = (heap[dx0 + at] as number) + (heap[g] as number);
        }
      }
    }
  }
}

/**
 * MaxPoolGrad for wasm: dx = dy routed to each window's first arg max, computed in JS over the
 * wasm heap. 2×2 stride-2 pools with no top/left padding (every Layers maxPooling2d of poolSize
 * 2) take a fast path, ~4× faster than the stock kernel on the reference CNN. Other dtypes, or
 * a dy whose shape the pool does not give (tfjs passes no dimRoundingMode), go to the stock kernel.
 */
export function makeMaxPoolGrad(stock: KernelFunc): KernelFunc {
  return (args: KernelArgs) => {
    const { dy, input } = args.inputs;
    const attrs = args.attrs as unknown as MaxPoolGradAttrs;
    if (dy === undefined || input === undefined) return stock(args);
    if (dy.dtype !== 'float32' || input.dtype !== 'float32') return stock(args);
    const info = tf.backend_util.computePool2DInfo(
      input.shape as Shape4,
      attrs.filterSize,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    if (!tf.util.arraysEqual(dy.shape, info.outShape)) return stock(args);
    const backend = args.backend as WasmBackend;
    const dx = backend.makeOutput([...input.shape], 'float32');
    // The view is taken after the last allocation: growing wasm memory detaches older views.
    const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
    const [x0, dy0, dx0] = [input, dy, dx].map((t) => heapIndex(backend, t)) as Shape3;
    const twoByTwo =
      info.filterHeight === 2 &&
      info.filterWidth === 2 &&
      info.strideHeight === 2 &&
      info.strideWidth === 2 &&
      info.padInfo.top === 0 &&
      info.padInfo.left === 0;
    if (twoByTwo) {
      maxPool2x2Grad(heap, input.shape as Shape4, [info.outHeight, info.outWidth], x0, dy0, dx0);
    } else {
      maxPoolGradGeneral(heap, info, x0, dy0, dx0);
    }
    return dx;
  };
}

let registered = false;

/** Overrides wasm MaxPoolGrad (dx = dy at each window's first arg max) with a JS one; idempotent. */
export function registerWasmMaxPoolGrad(): void {
  if (registered) return;
  const stock = tf.getKernel('MaxPoolGrad', 'wasm');
  if (stock === undefined) throw new Error('tfjs-backend-wasm kernels are not registered');
  tf.unregisterKernel('MaxPoolGrad', 'wasm');
  tf.registerKernel({ ...stock, kernelFunc: makeMaxPoolGrad(stock.kernelFunc) });
  registered = true;
}
