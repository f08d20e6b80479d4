import * as tf from '@tensorflow/tfjs';
// Side effect: the wasm kernels must be registered before we add one beside them.
import '@tensorflow/tfjs-backend-wasm';
import type { KernelFunc, TensorInfo, UnsortedSegmentSumAttrs } from '@tensorflow/tfjs';

/** The parts of tfjs-backend-wasm's BackendWasm this kernel touches (it has no public type). */
interface WasmBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: 'float32' | 'int32'): TensorInfo;
}

type KernelArgs = Parameters<KernelFunc>[0];

function heapIndex(backend: WasmBackend, info: TensorInfo): number {
  const data = backend.dataIdMap.get(info.dataId);
  if (data === undefined) throw new Error('tensor data is not on the wasm heap');
  return data.memoryOffset / 4;
}

/**
 * UnsortedSegmentSum for wasm, which tfjs-backend-wasm lacks: out[s, …] = Σ_{i : ids[i] = s} x[i, …]
 * over the first axis, ids outside [0, numSegments) dropped (as on cpu). It is the gradient of
 * gather, so models that look their weights up in a table (weight sharing) can train on wasm.
 */
export const unsortedSegmentSumWasm: KernelFunc = (args: KernelArgs) => {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs as unknown as UnsortedSegmentSumAttrs;
  if (x === undefined || segmentIds === undefined) {
    throw new Error('UnsortedSegmentSum needs x and segmentIds');
  }
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm takes float32 or int32, got ${x.dtype}`);
  }
  const rows = segmentIds.shape.reduce((a, b) => a * b, 1);
  const size = x.shape.reduce((a, b) => a * b, 1);
  const inner = rows === 0 ? 0 : size / rows;
  const backend = args.backend as WasmBackend;
  const out = backend.makeOutput([numSegments, ...x.shape.slice(segmentIds.shape.length)], x.dtype);
  // The views are taken after the last allocation: growing wasm memory detaches older views.
  const buffer = backend.wasm.HEAPU8.buffer;
  const values = x.dtype === 'float32' ? new Float32Array(buffer) : new Int32Array(buffer);
  const ids = new Int32Array(buffer);
  const [x0, ids0, out0] = [x, segmentIds, out].map((t) => heapIndex(backend, t)) as [
    number,
    number,
    number,
  ];
  values.fill(0, out0, out0 + numSegments * inner);
  for (let i = 0; i < rows; i++) {
    const s = ids[ids0 + i]!;
    if (s < 0 || s >= numSegments) continue;
    const from = x0 + i * inner;
    const to = out0 + s * inner;
    for (let j = 0; j < inner; j++) values[to + j] = values[to + j]! + values[from + j]!;
  }
  return out;
};

/** Registers UnsortedSegmentSum on wasm (the gradient of gather); idempotent. */
export function registerWasmUnsortedSegmentSum(): void {
  if (tf.getKernel('UnsortedSegmentSum', 'wasm') !== undefined) return;
  tf.registerKernel({
    kernelName: 'UnsortedSegmentSum',
    backendName: 'wasm',
    kernelFunc: unsortedSegmentSumWasm,
  });
}
