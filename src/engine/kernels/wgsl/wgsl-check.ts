/**
 * The browser check's WGSL part: every integer case on the WGSL int8 path of this browser's
 * WebGPU adapter (its own device, inputs written from the CPU, logits read back), compared with
 * the JS reference bit for bit. Cases the path does not take say why.
 */
import * as tf from '@tensorflow/tfjs';
import type { IntegerCase } from '../browser-check-cases';
import { registerDurableWebGpu } from '../../backends/webgpu';
import { wgslPredictor } from './tensor-path';
import { createGpuInt8Model, WGSL_FEATURE } from './gpu-model';
import { planWgsl } from './plan';

export interface WgslRow {
  name: string;
  batch: number;
  exact: boolean;
  /** Why the case stays off the path (then exact is false and it is not counted). */
  skipped?: string;
  /** How the input came: written from the CPU, a tensor on the GPU, or one still on the CPU. */
  input: 'buffer' | 'gpu tensor' | 'cpu tensor';
}

const MAP_READ = 0x01;
const COPY_DST = 0x08;

/** A device with the shaders' language feature, or why there is none. */
export async function wgslDevice(): Promise<GPUDevice | string> {
  const gpu = (globalThis.navigator as { gpu?: GPU } | undefined)?.gpu;
  if (!gpu) return 'this browser has no WebGPU';
  if (!gpu.wgslLanguageFeatures.has(WGSL_FEATURE)) return `WGSL lacks ${WGSL_FEATURE}`;
  const adapter = await gpu.requestAdapter();
  if (!adapter) return 'no WebGPU adapter';
  return adapter.requestDevice();
}

/** Logits of one batch on the WGSL path, read back. */
async function runOnce(
  device: GPUDevice,
  model: ReturnType<typeof createGpuInt8Model>,
  c: IntegerCase,
  outputSize: number,
) {
  const input = model.inputBuffer(c.batch);
  device.queue.writeBuffer(input, 0, new Float32Array(c.x));
  const out = model.run(input, c.batch);
  const bytes = 4 * c.batch * outputSize;
  const read = device.createBuffer({ size: bytes, usage: MAP_READ | COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(out, 0, read, 0, read.size);
  device.queue.submit([encoder.finish()]);
  await read.mapAsync(MAP_READ);
  const y = new Float32Array(read.getMappedRange().slice(0));
  read.destroy();
  return y;
}

/** Every case on the WGSL path, or why the path cannot run in this browser. */
export async function wgslExactness(cases: readonly IntegerCase[]): Promise<WgslRow[] | string> {
  const device = await wgslDevice();
  if (typeof device === 'string') return device;
  const rows: WgslRow[] = [];
  for (const c of cases) {
    const plan = planWgsl(c.model);
    if ('reason' in plan) {
      rows.push({
        name: c.name,
        batch: c.batch,
        exact: false,
        skipped: plan.reason,
        input: 'buffer',
      });
      continue;
    }
    device.pushErrorScope('validation');
    const model = createGpuInt8Model(device, plan);
    const y = await runOnce(device, model, c, plan.outputSize);
    const error = await device.popErrorScope();
    if (error) throw new Error(`WGSL path, ${c.name}: ${error.message}`);
    model.dispose();
    rows.push({ name: c.name, batch: c.batch, exact: sameBits(y, c.reference), input: 'buffer' });
  }
  device.destroy();
  return [...rows, ...(await tensorExactness(cases))];
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/**
 * The path as the app runs it, on tfjs's WebGPU backend: tensor in, logits tensor out, from an
 * input already on the GPU (a tfjs op's output) and from one tfjs still holds on the CPU.
 */
async function tensorExactness(cases: readonly IntegerCase[]): Promise<WgslRow[]> {
  registerDurableWebGpu();
  const skip = (c: IntegerCase, skipped: string): WgslRow => ({
    name: c.name,
    batch: c.batch,
    exact: false,
    skipped,
    input: 'gpu tensor',
  });
  if (!(await tf.setBackend('webgpu'))) return cases.map((c) => skip(c, 'tfjs has no WebGPU'));
  const rows: WgslRow[] = [];
  for (const c of cases) {
    const path = await wgslPredictor(c.model);
    if ('reason' in path) {
      rows.push(skip(c, path.reason));
      continue;
    }
    const shape = [c.batch, ...c.model.inputShape];
    for (const input of ['gpu tensor', 'cpu tensor'] as const) {
      const cpu = tf.tensor(c.x, shape);
      const x = input === 'gpu tensor' ? tf.mul(cpu, 1) : cpu;
      const y = path.predict(x);
      const values = (await y.data()) as Float32Array;
      rows.push({ name: c.name, batch: c.batch, exact: sameBits(values, c.reference), input });
      tf.dispose([cpu, x, y]);
    }
    path.dispose();
  }
  return rows;
}
