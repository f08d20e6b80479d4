/**
 * A WGSL plan on a GPUDevice: weights, channel constants and thresholds uploaded once; per batch
 * size the activation buffers, uniforms and bind groups made once and kept (a few sizes at most);
 * `run` encodes every step in one command buffer and submits it.
 */
import type { LayerStep, PoolStep, QuantizeStep, WgslPlan } from './plan';
import { POOL_WGSL, QUANTIZE_WGSL, layerWgsl } from './shaders';

/** The WGSL language feature the shaders need. */
export const WGSL_FEATURE = 'packed_4x8_integer_dot_product';

const STORAGE = 0x80; // GPUBufferUsage.STORAGE
const COPY_SRC = 0x04;
const COPY_DST = 0x08;
const UNIFORM = 0x40;
const GROUP = 64;
const MAX_GROUPS = 65535;
/** Batch sizes whose buffers are kept (the oldest is freed beyond this). */
const KEPT_BATCHES = 4;

export interface GpuInt8Model {
  /** Encodes and submits the model on `batch` f32 examples in `input`; returns the logits buffer. */
  run(input: GPUBuffer, batch: number): GPUBuffer;
  /** A buffer to write CPU-side inputs of `batch` examples into (kept per batch size). */
  inputBuffer(batch: number): GPUBuffer;
  dispose(): void;
}

interface Compiled {
  pipeline: GPUComputePipeline;
  /** Static storage buffers bound after the input, in binding order. */
  statics: GPUBuffer[];
  /** Binding of the output (after the statics; the last layer skips the thresholds' 4). */
  output: number;
  /** Uniform words and output bytes for a batch. */
  dims(batch: number): { words: Uint32Array; total: number; outBytes: number };
}

interface BatchSet {
  input: GPUBuffer;
  outputs: GPUBuffer[];
  uniforms: GPUBuffer[];
  groups: (GPUBindGroup | null)[];
  totals: number[];
}

function upload(device: GPUDevice, data: ArrayBufferView, usage = STORAGE): GPUBuffer {
  const size = Math.max(16, Math.ceil(data.byteLength / 16) * 16);
  const buffer = device.createBuffer({ size, usage: usage | COPY_DST, mappedAtCreation: true });
  new Uint8Array(buffer.getMappedRange()).set(
    new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
  );
  buffer.unmap();
  return buffer;
}

const words = (c: number) => Math.ceil(c / 4);

function quantizeDims(s: QuantizeStep, batch: number) {
  const cw = words(s.channels);
  const total = batch * s.pixels * cw;
  const u = new Uint32Array(8);
  u.set([total, s.channels, cw]);
  new Int32Array(u.buffer).set([s.lo], 3);
  u[4] = s.count;
  return { words: u, total, outBytes: 4 * total };
}

function poolDims(s: PoolStep, batch: number) {
  const oh = Math.floor(s.h / 2);
  const ow = Math.floor(s.w / 2);
  const total = batch * oh * ow * s.cw;
  return { words: Uint32Array.of(total, s.h, s.w, s.cw, oh, ow, 0, 0), total, outBytes: 4 * total };
}

function layerDims(s: LayerStep, batch: number) {
  const oh = s.h - s.kh + 1;
  const ow = s.w - s.kw + 1;
  const ocw = words(s.outC);
  const total = batch * oh * ow * ocw;
  const u = Uint32Array.of(
    total,
    s.h,
    s.w,
    s.cw,
    oh,
    ow,
    ocw,
    s.outC,
    s.kh,
    s.kw,
    s.stride,
    s.relu ? 1 : 0,
    s.inputScale[0],
    s.inputScale[1],
    0,
    0,
  );
  new Int32Array(u.buffer).set([s.inputScale[2]], 14);
  const outBytes = 4 * (s.last ? batch * oh * ow * s.outC : total);
  return { words: u, total, outBytes };
}

/** Compiles the plan's pipelines and uploads its constants; throws on a device error. */
export function createGpuInt8Model(device: GPUDevice, plan: WgslPlan): GpuInt8Model {
  const modules = new Map<string, GPUShaderModule>();
  const pipelineOf = (code: string) => {
    let module = modules.get(code);
    if (!module) {
      module = device.createShaderModule({ code });
      modules.set(code, module);
    }
    return device.createComputePipeline({
      layout: 'auto',
      compute: { module, entryPoint: 'main' },
    });
  };
  const owned: GPUBuffer[] = [];
  const keep = (b: GPUBuffer) => (owned.push(b), b);
  const compiled: Compiled[] = plan.steps.map((step) => {
    if (step.kind === 'quantize') {
      return {
        pipeline: pipelineOf(QUANTIZE_WGSL),
        statics: [keep(upload(device, step.thresholds))],
        output: 3,
        dims: (batch) => quantizeDims(step, batch),
      };
    }
    if (step.kind === 'pool') {
      return {
        pipeline: pipelineOf(POOL_WGSL),
        statics: [],
        output: 2,
        dims: (batch) => poolDims(step, batch),
      };
    }
    const statics = [upload(device, step.weights), upload(device, step.channels)];
    // The last layer does not read thresholds, so its 'auto' layout has no binding for them.
    if (!step.last) statics.push(upload(device, step.thresholds));
    statics.forEach(keep);
    return {
      pipeline: pipelineOf(layerWgsl(step.last)),
      statics,
      output: 5,
      dims: (batch) => layerDims(step, batch),
    };
  });
  const sets = new Map<number, BatchSet>();
  const freeSet = (set: BatchSet) => {
    [set.input, ...set.outputs, ...set.uniforms].forEach((b) => b.destroy());
  };
  const setFor = (batch: number): BatchSet => {
    const found = sets.get(batch);
    if (found) return found;
    const inputBytes = 4 * batch * plan.features;
    const set: BatchSet = {
      input: device.createBuffer({
        size: Math.max(16, Math.ceil(inputBytes / 16) * 16),
        usage: STORAGE | COPY_DST,
      }),
      outputs: [],
      uniforms: [],
      groups: [],
      totals: [],
    };
    compiled.forEach((c, k) => {
      const dims = c.dims(batch);
      set.uniforms.push(upload(device, dims.words, UNIFORM));
      set.outputs.push(
        device.createBuffer({
          // Exactly the outputs: tfjs reads a tensor made from a buffer to the buffer's end.
          size: Math.max(4, dims.outBytes),
          // tfjs copies a GPU buffer into one of the same usage, so that must include COPY_DST.
          usage: STORAGE | COPY_SRC | COPY_DST,
        }),
      );
      set.totals.push(dims.total);
      // The first step's bind group depends on the input buffer, so it is made per run.
      set.groups.push(
        k === 0 ? null : groupOf(c, set.uniforms[k]!, set.outputs[k - 1]!, set.outputs[k]!),
      );
    });
    sets.set(batch, set);
    if (sets.size > KEPT_BATCHES) {
      const [oldest, old] = sets.entries().next().value as [number, BatchSet];
      sets.delete(oldest);
      freeSet(old);
    }
    return set;
  };
  const groupOf = (c: Compiled, uniform: GPUBuffer, input: GPUBuffer, output: GPUBuffer) =>
    device.createBindGroup({
      layout: c.pipeline.getBindGroupLayout(0),
      entries: [
        ...[uniform, input, ...c.statics].map((buffer, binding) => ({
          binding,
          resource: { buffer },
        })),
        { binding: c.output, resource: { buffer: output } },
      ],
    });
  return {
    inputBuffer: (batch) => setFor(batch).input,
    run(input, batch) {
      const set = setFor(batch);
      const encoder = device.createCommandEncoder();
      const pass = encoder.beginComputePass();
      compiled.forEach((c, k) => {
        const group = set.groups[k] ?? groupOf(c, set.uniforms[k]!, input, set.outputs[k]!);
        const groups = Math.ceil(set.totals[k]! / GROUP);
        const x = Math.min(groups, MAX_GROUPS);
        pass.setPipeline(c.pipeline);
        pass.setBindGroup(0, group);
        pass.dispatchWorkgroups(x, Math.ceil(groups / x));
      });
      pass.end();
      device.queue.submit([encoder.finish()]);
      return set.outputs[set.outputs.length - 1]!;
    },
    dispose() {
      sets.forEach(freeSet);
      sets.clear();
      owned.forEach((b) => b.destroy());
    },
  };
}
