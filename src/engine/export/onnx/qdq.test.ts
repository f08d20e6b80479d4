import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec, Dataset, ModelHandle } from './test-support';
import type { IntegerModel } from './adapter';
import {
  buildIntegerModel,
  calibrateRanges,
  disposeHandle,
  inputRangesOf,
  makeSyntheticDataset,
  ptqParamsWith,
  ptqWeightConfig,
  qatParamsWith,
  qatQuantizedLayers,
  quantizeLayers,
  runIntegerModel,
  runPtq,
  runQat,
  testContext,
  trainedTeacher,
} from './test-support';
import { extractLayers } from './adapter';
import { inspectOnnx } from './inspect';
import type { QdqExportOptions } from './qdq';
import { exportQdqOnnx } from './qdq';
import { onnxSupport } from './support';
import { agreement, maxDiff, runInOrt, smallMnist } from './testing';

const CNN: ArchitectureSpec = {
  kind: 'cnn',
  convs: [{ filters: 4, kernel: 3 }],
  dense: [16],
  activation: 'relu',
};
const MLP: ArchitectureSpec = { kind: 'mlp', hidden: [24, 12], activation: 'relu' };
const TANH_MLP: ArchitectureSpec = { kind: 'mlp', hidden: [24, 12], activation: 'tanh' };

type PtqParams = Parameters<typeof ptqParamsWith>[0];

/** The integer model static PTQ builds (runPtq's steps: quantize weights, calibrate, convert). */
async function ptqInteger(teacher: ModelHandle, data: Dataset, overrides: PtqParams) {
  const params = ptqParamsWith(overrides);
  const ctx = testContext(data, teacher.model);
  const { layers, kernels } = quantizeLayers(extractLayers(teacher.model), ptqWeightConfig(params));
  const ranges = await calibrateRanges(ctx, layers, params.calibrationSize, params);
  return buildIntegerModel(
    layers,
    kernels,
    ranges.inputs,
    ranges.preActivations,
    params.activationBits,
    data.inputShape,
  );
}

/** The integer model of a QAT handle, converted the way runQat converts it. */
async function qatInteger(
  handle: ModelHandle,
  data: Dataset,
  activationBits: number,
): Promise<IntegerModel> {
  const { layers, kernels } = await qatQuantizedLayers(handle.model);
  const ranges = inputRangesOf(handle.model);
  return buildIntegerModel(layers, kernels, ranges, new Map(), activationBits, data.inputShape);
}

/** Logits of a handle's predict (the app's integer path for quantized handles). */
function handleLogits(handle: ModelHandle, data: Dataset): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
    return handle.predict!(x).dataSync() as Float32Array;
  });
}

/** Exports as QDQ, runs in onnxruntime, compares with runIntegerModel on the test split. */
async function checkQdq(model: IntegerModel, data: Dataset, options: QdqExportOptions = {}) {
  const exported = exportQdqOnnx(model, options);
  const run = await runInOrt(exported.bytes, data);
  const reference = runIntegerModel(model, data.test.x, data.test.count);
  return {
    ...exported,
    ops: run.optimizedOps,
    agreement: agreement(run.logits, reference, data.numClasses),
    ...maxDiff(run.logits, reference),
  };
}

function report(label: string, r: { agreement: number; diff: number; scale: number }) {
  console.info(`${label}: agreement ${r.agreement}, max |Δlogit| ${r.diff} (of ${r.scale})`);
}

/** An initializer of an exported file, by name. */
function tensor(bytes: Uint8Array, name: string) {
  const found = inspectOnnx(bytes).initializers.find((t) => t.name === name);
  if (!found) throw new Error(`No initializer ${name}.`);
  return found;
}

const FLOAT_WEIGHT_OPS = ['Conv', 'Gemm', 'MatMul'];

let mnist: Dataset;
let points: Dataset;
let cnn: ModelHandle;
let mlp: ModelHandle;
const handles: ModelHandle[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  mnist = smallMnist(400, 300);
  points = makeSyntheticDataset({ id: 'spiral', trainSize: 600, testSize: 300, noise: 0.1 }, 3);
  cnn = await trainedTeacher(CNN, mnist, 2);
  mlp = await trainedTeacher(MLP, points, 20);
  handles.push(cnn, mlp);
}, 120_000);

afterAll(() => handles.forEach(disposeHandle));

describe('QDQ export of static PTQ (CNN on MNIST)', () => {
  let int8: IntegerModel;

  beforeAll(async () => {
    int8 = await ptqInteger(cnn, mnist, {});
  });

  it('the rebuilt integer model is the one the PTQ stage predicts with', async () => {
    const handle = await runPtq(testContext(mnist, cnn.model), cnn, ptqParamsWith({}));
    handles.push(handle);
    const ours = runIntegerModel(int8, mnist.test.x, mnist.test.count);
    expect(Array.from(ours)).toEqual(Array.from(handleLogits(handle, mnist)));
  });

  it('w8a8 (default uint8 container): fused into QLinearConv + QGemm, logits to 1e-4', async () => {
    const r = await checkQdq(int8, mnist);
    report('PTQ w8a8 CNN, default (uint8 weights)', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.diff).toBeLessThan(1e-4 * r.scale);
    expect(r.opset).toBe(13);
    expect(r.notes).toEqual([]);
    expect(r.ops).toContain('QLinearConv');
    expect(r.ops.filter((op) => op === 'com.microsoft.QGemm')).toHaveLength(2);
    expect(r.ops.filter((op) => FLOAT_WEIGHT_OPS.includes(op))).toEqual([]);
    expect(r.ops).not.toContain('DequantizeLinear'); // MaxPool / Flatten run on the codes
    const info = inspectOnnx(r.bytes);
    const kernel = tensor(r.bytes, 'conv1/kernel_q');
    expect(kernel.dataType).toBe(2); // UINT8: symmetric codes + 128
    expect(kernel.dims).toEqual([4, 1, 3, 3]); // OIHW
    expect(Array.from(tensor(r.bytes, 'conv1/kernel_zero_point').raw)).toEqual([
      128, 128, 128, 128,
    ]);
    expect(tensor(r.bytes, 'conv1/bias_q').dataType).toBe(6); // INT32
    const axis = (name: string) => info.nodes.find((n) => n.name === name)!.attributes.axis;
    expect(axis('conv1/kernel/DequantizeLinear')).toBe(0); // OIHW: output channels first
    expect(axis('dense1/kernel/DequantizeLinear')).toBe(1); // Gemm B [in, out]: columns
    expect(axis('dense1/bias/DequantizeLinear')).toBe(0);
  });

  it('int8 weights on request: fused as well, with the u8·s8 saturation note', async () => {
    const r = await checkQdq(int8, mnist, { weightType: 'int8' });
    report('PTQ w8a8 CNN, int8 weights', r);
    // Exact with VNNI / on ARM; x86 AVX2 kernels saturate some 16-bit pair sums (measured here:
    // 94.7–98.3% top-1 agreement, depending on the teacher), which is why 'auto' picks uint8.
    expect(r.agreement).toBeGreaterThanOrEqual(0.9);
    expect(r.notes.join(' ')).toMatch(/VNNI/);
    expect(r.ops).toContain('QLinearConv');
    expect(tensor(r.bytes, 'conv1/kernel_q').dataType).toBe(3); // INT8
  });

  it('4-bit weights: widened to int8 (fused, with a note), or int4 at opset 21 on request', async () => {
    const w4 = await ptqInteger(cnn, mnist, { weightBits: 4 });
    const widened = await checkQdq(w4, mnist);
    report('PTQ w4a8 CNN, widened to int8', widened);
    expect(widened.agreement).toBeGreaterThanOrEqual(0.99);
    expect(widened.diff).toBeLessThan(1e-4 * widened.scale); // |codes| ≤ 7: no saturation
    expect(widened.ops).toContain('QLinearConv');
    expect(widened.notes).toContain(
      'conv1: 4-bit weight codes stored in 8 bits (values unchanged), so that onnxruntime fuses ' +
        'the layer into an 8-bit kernel',
    );
    // INT8: |codes| ≤ 7 cannot saturate u8·s8 pair sums.
    expect(tensor(widened.bytes, 'conv1/kernel_q').dataType).toBe(3);
    const int4 = await checkQdq(w4, mnist, { int4: true });
    report('PTQ w4a8 CNN, int4', int4);
    expect(int4.opset).toBe(21);
    expect(int4.agreement).toBeGreaterThanOrEqual(0.99);
    const kernel = tensor(int4.bytes, 'conv1/kernel_q');
    expect(kernel.dataType).toBe(22); // INT4, two codes a byte
    expect(kernel.raw.length).toBe(18);
    expect(int4.notes.join(' ')).toMatch(/no fused int4/);
    expect(int4.bytes.length).toBeLessThan(widened.bytes.length);
  });

  it('mixed precision (conv1 8, conv2 … 3 bits): each layer at its own width, all fused', async () => {
    const mixed = await ptqInteger(cnn, mnist, { weightBits: 3, layerBits: { conv1: 8 } });
    const r = await checkQdq(mixed, mnist);
    report('PTQ mixed w3–8a8 CNN', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.ops).toContain('QLinearConv');
    expect(r.ops.filter((op) => FLOAT_WEIGHT_OPS.includes(op))).toEqual([]);
    // conv1's 8-bit codes need no widening; the 3-bit layers say they were widened.
    expect(r.notes.some((n) => n.startsWith('conv1:'))).toBe(false);
    expect(r.notes.some((n) => n.startsWith('dense1: 3-bit weight codes stored in 8 bits'))).toBe(
      true,
    );
  });

  it('power-of-two weights (codes up to ±2^12): int16 at opset 21, not fused', async () => {
    const pow2 = await ptqInteger(cnn, mnist, { powerOfTwo: true });
    const r = await checkQdq(pow2, mnist);
    report('PTQ pow2 w8a8 CNN, int16 weights', r);
    expect(r.opset).toBe(21);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    // Float accumulation can move a requantized code by one step near a rounding tie.
    expect(r.diff).toBeLessThan(0.01 * r.scale);
    expect(r.notes.join(' ')).toMatch(/conv1: weight codes span more than 8 bits/);
    expect(r.ops).toContain('Conv'); // computed in float on the exact weights
  });
});

describe('QDQ export of QAT-converted models', () => {
  it('CNN QAT w8a8 (1 epoch on MNIST): fused, ≥ 99% agreement with its integer model', async () => {
    // One epoch on 256 images keeps the test short: enough to move weights and grids.
    const count = 256;
    const train = {
      x: mnist.train.x.subarray(0, count * 784),
      y: mnist.train.y.subarray(0, count),
      count,
    };
    const ctx = testContext({ ...mnist, train }, cnn.model);
    const handle = await runQat(ctx, cnn, qatParamsWith({ epochs: 1 }));
    handles.push(handle);
    const model = await qatInteger(handle, mnist, 8);
    expect(Array.from(runIntegerModel(model, mnist.test.x, mnist.test.count))).toEqual(
      Array.from(handleLogits(handle, mnist)),
    );
    const r = await checkQdq(model, mnist);
    report('QAT w8a8 CNN', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.ops).toContain('QLinearConv');
    expect(r.ops.filter((op) => FLOAT_WEIGHT_OPS.includes(op))).toEqual([]);
  });

  it('MLP QAT w4a8 asymmetric per-tensor: fused QGemm, ≥ 99% agreement', async () => {
    const params = qatParamsWith({
      epochs: 2,
      weightBits: 4,
      scheme: 'asymmetric',
      granularity: 'per-tensor',
    });
    const handle = await runQat(testContext(points, mlp.model), mlp, params);
    handles.push(handle);
    const r = await checkQdq(await qatInteger(handle, points, 8), points);
    report('QAT w4a8 asym MLP', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.ops.filter((op) => op === 'com.microsoft.QGemm')).toHaveLength(3);
  });
});

describe('QDQ export of MLPs on 2-D points', () => {
  it('PTQ w8a8 asymmetric weights: QGemm ×3 with [N, 2] input', async () => {
    const model = await ptqInteger(mlp, points, { scheme: 'asymmetric' });
    const r = await checkQdq(model, points);
    report('PTQ w8a8 asym MLP', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.ops.filter((op) => op === 'com.microsoft.QGemm')).toHaveLength(3);
    expect(inspectOnnx(r.bytes).inputs[0]!.dims).toEqual(['N', 2]);
  });

  it('4-bit activations: uint8 containers with a note, still fused', async () => {
    const model = await ptqInteger(mlp, points, { activationBits: 4 });
    const r = await checkQdq(model, points);
    report('PTQ w8a4 MLP', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.notes.join(' ')).toMatch(/4-bit activation grids are stored in uint8/);
    expect(r.ops).toContain('com.microsoft.QGemm');
  });

  it('tanh hidden layers: the activation runs in float (noted), ≥ 99% agreement', async () => {
    const teacher = await trainedTeacher(TANH_MLP, points, 10);
    handles.push(teacher);
    const model = await ptqInteger(teacher, points, {});
    const r = await checkQdq(model, points);
    report('PTQ w8a8 tanh MLP', r);
    expect(r.agreement).toBeGreaterThanOrEqual(0.99);
    expect(r.notes.join(' ')).toMatch(/dense1: tanh runs in float/);
  });

  it('16-bit activations are refused with a reason instead of a wrong file', async () => {
    const model = await ptqInteger(mlp, points, { activationBits: 16 });
    const reason = onnxSupport({ kind: 'qdq', model });
    expect(reason).toMatch(/16-bit activation grid \(codes 0\.\.65535\) has no uint8 container/);
    expect(() => exportQdqOnnx(model)).toThrow(reason!);
  });
});
