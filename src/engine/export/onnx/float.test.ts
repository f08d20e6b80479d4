import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArchitectureSpec, Dataset, ModelHandle } from './test-support';
import type { NamedLayer } from './adapter';
import {
  buildFromLayers,
  disposeHandle,
  lowrankParams,
  makeSyntheticDataset,
  pruneParams,
  runLowrank,
  runPrune,
  testContext,
  trainedTeacher,
} from './test-support';
import { extractLayers } from './adapter';
import { exportFloatOnnx } from './float';
import { exportModelOnnx } from './from-model';
import { inspectOnnx } from './inspect';
import { agreement, maxDiff, runInOrt, smallMnist } from './testing';

const CNN: ArchitectureSpec = {
  kind: 'cnn',
  convs: [{ filters: 4, kernel: 3 }],
  dense: [16],
  activation: 'relu',
};
const MLP: ArchitectureSpec = { kind: 'mlp', hidden: [24, 12], activation: 'tanh' };

function predictTf(model: tf.LayersModel, data: Dataset): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(data.test.x, [data.test.count, ...data.inputShape]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** Exports a handle's model, runs it in onnxruntime and compares with tfjs on the test split. */
async function checkVariant(handle: ModelHandle, data: Dataset) {
  const bytes = exportModelOnnx(handle.model, data.inputShape, { name: handle.label });
  const run = await runInOrt(bytes, data);
  const reference = predictTf(handle.model, data);
  return {
    bytes,
    run,
    agreement: agreement(run.logits, reference, data.numClasses),
    ...maxDiff(run.logits, reference),
  };
}

function kernelDims(bytes: Uint8Array): number[][] {
  return inspectOnnx(bytes)
    .initializers.filter((t) => t.name.endsWith('/kernel'))
    .map((t) => t.dims);
}

function zeroFraction(bytes: Uint8Array): number {
  let zeros = 0;
  let total = 0;
  for (const t of inspectOnnx(bytes).initializers) {
    if (!t.name.endsWith('/kernel')) continue;
    const v = new Float32Array(t.raw.slice().buffer);
    zeros += v.filter((w) => w === 0).length;
    total += v.length;
  }
  return zeros / total;
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('float ONNX export, layout by hand', () => {
  const rng = (() => {
    let s = 7;
    return () => ((s = (s * 16807) % 2147483647) / 2147483647 - 0.5) * 1.5;
  })();
  const values = (n: number) => Float32Array.from({ length: n }, rng);
  // Non-square everything, 2 input channels, 4 channels at the flatten: any swapped axis shows.
  const layers: NamedLayer[] = [
    {
      kind: 'conv',
      name: 'conv1',
      kernel: values(3 * 2 * 2 * 3),
      kernelShape: [3, 2, 2, 3],
      bias: values(3),
      activation: 'relu',
    },
    { kind: 'maxpool', name: 'pool1' },
    {
      kind: 'conv',
      name: 'conv2',
      kernel: values(2 * 1 * 3 * 4),
      kernelShape: [2, 1, 3, 4],
      bias: values(4),
      activation: 'tanh',
    },
    { kind: 'flatten', name: 'flatten' },
    {
      kind: 'dense',
      name: 'dense1',
      kernel: values(24 * 5),
      kernelShape: [24, 5],
      bias: values(5),
      activation: 'sigmoid',
    },
    {
      kind: 'dense',
      name: 'logits',
      kernel: values(5 * 3),
      kernelShape: [5, 3],
      bias: new Float32Array(3),
      activation: 'linear',
    },
  ];
  const count = 16;
  const data: Dataset = {
    id: 'random',
    inputShape: [9, 8, 2],
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
    train: { x: new Float32Array(0), y: new Uint8Array(0), count: 0 },
    validation: { x: new Float32Array(0), y: new Uint8Array(0), count: 0 },
    test: { x: values(count * 9 * 8 * 2), y: new Uint8Array(count), count },
  };

  it('[9, 8, 2] → conv 3×2 → pool → conv 2×1 → flatten [2, 3, 4] → dense: tfjs logits to 1e-5', async () => {
    const model = buildFromLayers(layers, data.inputShape);
    const reference = predictTf(model, data);
    model.dispose();
    const bytes = exportFloatOnnx(layers, data.inputShape);
    const { logits, optimizedOps } = await runInOrt(bytes, data);
    const { diff, scale } = maxDiff(logits, reference);
    expect(scale).toBeGreaterThan(0.1);
    expect(diff).toBeLessThan(1e-5 * Math.max(1, scale));
    expect(optimizedOps).toContain('MaxPool');
    const info = inspectOnnx(bytes);
    expect(info.inputs[0]!.dims).toEqual(['N', 2, 9, 8]);
    // The all-zero bias of `logits` is left out: Gemm reads only x and W.
    expect(info.nodes.find((n) => n.name === 'logits/Gemm')!.inputs).toHaveLength(2);
    expect(kernelDims(bytes)).toEqual([
      [3, 2, 3, 2],
      [4, 3, 2, 1],
      [24, 5],
      [5, 3],
    ]);
  });

  it('says why it cannot export instead of writing a wrong file', () => {
    expect(() => exportFloatOnnx(layers.slice(0, 3), data.inputShape)).toThrow(/not logits/);
    expect(() => exportFloatOnnx(layers, [11, 8, 2])).toThrow(
      /dense1 expects 24 inputs but gets 36/,
    );
  });
});

describe('float ONNX export of trained variants in onnxruntime', () => {
  let mnist: Dataset;
  let points: Dataset;
  const handles: ModelHandle[] = [];
  let cnn: ModelHandle;
  let mlp: ModelHandle;

  beforeAll(async () => {
    mnist = smallMnist(400, 300);
    points = makeSyntheticDataset({ id: 'spiral', trainSize: 600, testSize: 300, noise: 0.1 }, 3);
    cnn = await trainedTeacher(CNN, mnist, 2);
    mlp = await trainedTeacher(MLP, points, 20);
    handles.push(cnn, mlp);
  }, 120_000);

  afterAll(() => handles.forEach(disposeHandle));

  async function variant(
    teacher: ModelHandle,
    data: Dataset,
    kind: 'magnitude' | 'structured' | 'lowrank',
  ): Promise<ModelHandle> {
    const ctx = testContext(data, teacher.model);
    const handle =
      kind === 'lowrank'
        ? await runLowrank(
            ctx,
            teacher,
            lowrankParams.parse({ rankMode: 'rank', rank: 2, convs: true, finetuneEpochs: 0 }),
          )
        : await runPrune(
            ctx,
            teacher,
            pruneParams.parse({ kind, sparsity: 0.5, finetuneEpochs: 0 }),
          );
    handles.push(handle);
    return handle;
  }

  it('fp32 CNN on MNIST: [N, 1, 28, 28] in, the same top-1 as tfjs on 300 test images', async () => {
    const result = await checkVariant(cnn, mnist);
    console.info(`fp32 CNN: agreement ${result.agreement}, max |Δlogit| ${result.diff}`);
    expect(result.agreement).toBeGreaterThanOrEqual(0.995);
    expect(result.diff).toBeLessThan(1e-4 * result.scale);
    const info = inspectOnnx(result.bytes);
    expect(info.inputs).toEqual([{ name: 'input', dims: ['N', 1, 28, 28] }]);
    expect(info.outputs).toEqual([{ name: 'logits', dims: ['N', 10] }]);
    expect(info.opset).toBe(13);
    expect(info.irVersion).toBe(7);
  });

  it('magnitude-pruned CNN: masks baked (half the kernel weights are 0 in the file)', async () => {
    const pruned = await variant(cnn, mnist, 'magnitude');
    const result = await checkVariant(pruned, mnist);
    console.info(`pruned CNN: agreement ${result.agreement}, max |Δlogit| ${result.diff}`);
    expect(result.agreement).toBeGreaterThanOrEqual(0.995);
    expect(zeroFraction(result.bytes)).toBeGreaterThan(0.45);
    expect(zeroFraction(exportModelOnnx(cnn.model, mnist.inputShape))).toBeLessThan(0.05);
  });

  it('structurally pruned CNN: smaller layers in the file', async () => {
    const pruned = await variant(cnn, mnist, 'structured');
    const result = await checkVariant(pruned, mnist);
    console.info(`structured CNN: agreement ${result.agreement}, max |Δlogit| ${result.diff}`);
    expect(result.agreement).toBeGreaterThanOrEqual(0.995);
    const teacherDims = kernelDims(exportModelOnnx(cnn.model, mnist.inputShape));
    const prunedDims = kernelDims(result.bytes);
    expect(prunedDims[0]![0]).toBeLessThan(teacherDims[0]![0]!); // fewer conv filters
    expect(prunedDims[1]![1]).toBeLessThan(teacherDims[1]![1]!); // fewer dense units
  });

  it('low-rank CNN: each factored layer becomes two consecutive Conv / Gemm nodes', async () => {
    const factored = await variant(cnn, mnist, 'lowrank');
    const result = await checkVariant(factored, mnist);
    console.info(`low-rank CNN: agreement ${result.agreement}, max |Δlogit| ${result.diff}`);
    expect(result.agreement).toBeGreaterThanOrEqual(0.995);
    const weightNodes = (bytes: Uint8Array) =>
      inspectOnnx(bytes).nodes.filter((n) => n.opType === 'Conv' || n.opType === 'Gemm');
    expect(weightNodes(result.bytes).length).toBeGreaterThan(
      weightNodes(exportModelOnnx(cnn.model, mnist.inputShape)).length,
    );
    expect(extractLayers(factored.model).some((l) => l.name.endsWith('_u'))).toBe(true);
  });

  it('MLP on 2-D points ([N, 2] in): fp32, pruned, structured and low-rank agree with tfjs', async () => {
    const variants = [
      mlp,
      await variant(mlp, points, 'magnitude'),
      await variant(mlp, points, 'structured'),
      await variant(mlp, points, 'lowrank'),
    ];
    for (const handle of variants) {
      const result = await checkVariant(handle, points);
      console.info(
        `MLP ${handle.label}: agreement ${result.agreement}, max |Δlogit| ${result.diff}`,
      );
      expect(result.agreement).toBeGreaterThanOrEqual(0.995);
      expect(result.diff).toBeLessThan(1e-4 * result.scale);
      expect(result.run.logits).toHaveLength(300 * points.numClasses);
    }
  });
});
