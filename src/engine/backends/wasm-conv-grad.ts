import * as tf from '@tensorflow/tfjs';
// Side effect: the wasm kernels must be registered before we look them up or override one.
import '@tensorflow/tfjs-backend-wasm';
import type {
  Conv2DBackpropFilterAttrs,
  Conv2DBackpropInputAttrs,
  KernelFunc,
  NamedAttrMap,
  TensorInfo,
} from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm these kernels touch (it has no public type). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  disposeData(dataId: object): boolean;
}

type KernelArgs = Parameters<KernelFunc>[0];
type ConvInfo = ReturnType<typeof tf.backend_util.computeConv2DInfo>;
type Shape4 = [number, number, number, number];

/**
 * Below this many filter taps (kh·kw·inChannels) the conv route's GEMM is too skinny for
 * XNNPACK (a 3×3×1 filter: 9 output rows), and a JS im2col + one matmul wins; measured on the
 * 28×28 reference CNN, batch 128: conv1 (3×3×1) 2.5 ms vs 9.5 ms, conv2 (3×3×16) ~9 ms both.
 */
const MIN_TAPS_FOR_CONV_ROUTE = 64;

/** Runs an already registered wasm kernel directly (no engine bookkeeping), one output. */
function runWasm(
  name: string,
  backend: WasmBackend,
  inputs: KernelArgs['inputs'],
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = tf.getKernel(name, 'wasm');
  if (kernel === undefined) throw new Error(`wasm kernel ${name} is not registered`);
  const out = kernel.kernelFunc({ inputs, backend, attrs });
  if (Array.isArray(out)) throw new Error(`wasm kernel ${name} returned several outputs`);
  return out;
}

function reshape(backend: WasmBackend, x: TensorInfo, shape: number[]): TensorInfo {
  return runWasm('Reshape', backend, { x }, { shape });
}

function transpose(backend: WasmBackend, x: TensorInfo, perm: number[]): TensorInfo {
  return runWasm('Transpose', backend, { x }, { perm });
}

/** Disposes intermediates; a reshape shares its input's data, so this only drops a reference. */
function release(backend: WasmBackend, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

function heapIndex(backend: WasmBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor data is not on the wasm heap');
  return data.memoryOffset / 4;
}

/**
 * cols[(kh·FW + kw)·C + c, (b·OH + oh)·OW + ow] = x[b, oh·sh + kh − top, ow·sw + kw − left, c]
 * (0 outside x), written straight into the wasm heap from a channel-major copy of x.
 */
function im2colTransposed(backend: WasmBackend, x: TensorInfo, info: ConvInfo): TensorInfo {
  const { batchSize: B, inHeight: H, inWidth: W, inChannels: C } = info;
  const { outHeight: OH, outWidth: OW, filterHeight: FH, filterWidth: FW } = info;
  const { strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const planes = C === 1 ? reshape(backend, x, [1, B, H, W]) : transpose(backend, x, [3, 0, 1, 2]);
  const cols = backend.makeOutput([FH * FW * C, B * OH * OW], 'float32');
  // Views are taken after the last allocation: growing wasm memory detaches older views.
  const heap = new Float32Array(backend.wasm.HEAPU8.buffer);
  const src0 = heapIndex(backend, planes);
  let dst = heapIndex(backend, cols);
  for (let kh = 0; kh < FH; kh++) {
    for (let kw = 0; kw < FW; kw++) {
      const owLo = Math.min(OW, Math.max(0, Math.ceil((left - kw) / sw)));
      const owHi = Math.max(owLo, Math.min(OW, Math.floor((W - 1 + left - kw) / sw) + 1));
      for (let plane = 0; plane < C * B; plane++) {
        const planeStart = src0 + plane * H * W;
        for (let oh = 0; oh < OH; oh++, dst += OW) {
          const ih = oh * sh + kh - top;
          if (ih < 0 || ih >= H) {
            heap.fill(0, dst, dst + OW);
            continue;
          }
          if (owLo > 0) heap.fill(0, dst, dst + owLo);
          if (owHi < OW) heap.fill(0, dst + owHi, dst + OW);
          let s = planeStart + ih * W + owLo * sw + kw - left;
          for (let ow = owLo; ow < owHi; ow++, s += sw) heap[dst + ow] = heap[s] ?? 0;
        }
      }
    }
  }
  release(backend, planes);
  return cols;
}

/** dW[kh,kw,c,o] = Σ_n cols[(kh,kw,c), n] · dy[n, o]: im2col, then one untransposed matmul. */
function filterGradIm2col(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
): TensorInfo {
  const cols = im2colTransposed(backend, x, info);
  const dy2d = reshape(backend, dy, [-1, info.outChannels]);
  // transposeA/B = false keeps BatchMatMul on XNNPACK; the transposed paths are ~10× slower.
  const dw2d = runWasm(
    'BatchMatMul',
    backend,
    { a: cols, b: dy2d },
    { transposeA: false, transposeB: false },
  );
  const dw = reshape(backend, dw2d, [...info.filterShape]);
  release(backend, cols, dy2d, dw2d);
  return dw;
}

/**
 * dW[kh,kw,c,o] = Σ_{b,oh,ow} x[c, kh + oh·sh, kw + ow·sw, b] · dy[oh, ow, b, o]: a Conv2D over
 * x transposed to [C,H,W,B] with dy transposed to [OH,OW,B,O] as the filter, dilated by the
 * stride, giving [C,FH,FW,O]. Needs padBottom, padRight ≥ 0 (else use im2col).
 */
function filterGradViaConv(
  backend: WasmBackend,
  x: TensorInfo,
  dy: TensorInfo,
  info: ConvInfo,
  padBottom: number,
  padRight: number,
): TensorInfo {
  const xT = transpose(backend, x, [3, 1, 2, 0]);
  const dyT = transpose(backend, dy, [1, 2, 0, 3]);
  const { top, left } = info.padInfo;
  const attrs = {
    strides: 1,
    pad: [
      [0, 0],
      [top, padBottom],
      [left, padRight],
      [0, 0],
    ],
    dataFormat: 'NHWC',
    dilations: [info.strideHeight, info.strideWidth],
  };
  const dwT = runWasm('Conv2D', backend, { x: xT, filter: dyT }, attrs);
  const dw = transpose(backend, dwT, [1, 2, 0, 3]);
  release(backend, xT, dyT, dwT);
  return dw;
}

/** Conv2DBackpropFilter for wasm: dW = ∂L/∂W of y = conv2d(x, W), NHWC, dilation 1. */
function conv2dBackpropFilter(args: KernelArgs): TensorInfo {
  const backend = args.backend as WasmBackend;
  const { x, dy } = args.inputs;
  const attrs = args.attrs as unknown as Conv2DBackpropFilterAttrs;
  if (x === undefined || dy === undefined) throw new Error('Conv2DBackpropFilter needs x and dy');
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter on wasm supports NHWC only, got ${attrs.dataFormat}`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new Error(`Conv2DBackpropFilter on wasm needs float32, got ${x.dtype} and ${dy.dtype}`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4,
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { filterHeight: FH, filterWidth: FW, inChannels: C } = info;
  const padBottom =
    (info.outHeight - 1) * info.strideHeight + FH - info.inHeight - info.padInfo.top;
  const padRight = (info.outWidth - 1) * info.strideWidth + FW - info.inWidth - info.padInfo.left;
  if (FH * FW * C < MIN_TAPS_FOR_CONV_ROUTE || padBottom < 0 || padRight < 0) {
    return filterGradIm2col(backend, x, dy, info);
  }
  return filterGradViaConv(backend, x, dy, info, padBottom, padRight);
}

/**
 * Conv2DBackpropInput fast path for stride 1: dx = conv2d(dy, W rotated 180° with in/out
 * channels swapped), padding FH−1−top above and FH−1−bottom below (likewise in width).
 * Anything else goes to the stock kernel, which is ~9× slower on the reference CNN.
 */
function makeConv2dBackpropInput(stock: KernelFunc): KernelFunc {
  return (args) => {
    const backend = args.backend as WasmBackend;
    const { dy, filter } = args.inputs;
    const attrs = args.attrs as unknown as Conv2DBackpropInputAttrs;
    if (dy === undefined || filter === undefined || attrs.dataFormat !== 'NHWC') return stock(args);
    if (dy.dtype !== 'float32' || filter.dtype !== 'float32') return stock(args);
    const info = tf.backend_util.computeConv2DInfo(
      attrs.inputShape,
      filter.shape as Shape4,
      attrs.strides,
      1,
      attrs.pad,
      attrs.dimRoundingMode,
    );
    const { top, bottom, left, right } = info.padInfo;
    const pads = [
      info.filterHeight - 1 - top,
      info.filterHeight - 1 - bottom,
      info.filterWidth - 1 - left,
      info.filterWidth - 1 - right,
    ] as const;
    const unitStride = info.strideHeight === 1 && info.strideWidth === 1;
    if (!unitStride || pads.some((p) => p < 0)) return stock(args);
    const flipped = runWasm('Reverse', backend, { x: filter }, { dims: [0, 1] });
    const swapped = transpose(backend, flipped, [0, 1, 3, 2]);
    const attrsConv = {
      strides: 1,
      pad: [
        [0, 0],
        [pads[0], pads[1]],
        [pads[2], pads[3]],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: 1,
    };
    const dx = runWasm('Conv2D', backend, { x: dy, filter: swapped }, attrsConv);
    release(backend, flipped, swapped);
    return dx;
  };
}

let registered = false;

/** Registers wasm Conv2DBackpropFilter (dW = Σ x-window ⊗ dy) and a fast stride-1 dx; idempotent. */
export function registerWasmConvGradients(): void {
  if (registered) return;
  const stockInput = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInput === undefined) throw new Error('tfjs-backend-wasm kernels are not registered');
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') === undefined) {
    tf.registerKernel({
      kernelName: 'Conv2DBackpropFilter',
      backendName: 'wasm',
      kernelFunc: conv2dBackpropFilter,
    });
  }
  tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
  tf.registerKernel({ ...stockInput, kernelFunc: makeConv2dBackpropInput(stockInput.kernelFunc) });
  registered = true;
}
