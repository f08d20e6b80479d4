import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ShareParams } from '../spec';
import { shareParams } from '../spec';
import type { Dataset } from '../../../engine/data/types';
import { modelBytes, tensorBytes } from '../../../engine/measure/size';
import { evaluate } from '../../../engine/train/evaluate';
import { extractLayers } from '../../../engine/network/layer-ir';
import type { WeightLayer } from '../../../engine/network/layers';
import { isWeightLayer } from '../../../engine/network/layers';
import { runPrune } from '../../prune/stage/prune';
import { runFinetune } from '../../finetune/stage/finetune';
import {
  CNN,
  MLP,
  bars,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
} from '../../../engine/network/test-fixtures';
import type { ModelHandle } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';
import { runShare } from './share';
import { SharedDense } from './shared-layers';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let cached: { data: Dataset; teacher: ModelHandle } | null = null;
async function mlpTeacher() {
  if (!cached) {
    const data = blobs();
    cached = { data, teacher: await trainedTeacher(MLP, data, 10) };
  }
  return cached;
}
afterAll(() => cached?.teacher.model.dispose());

function params(overrides: Partial<ShareParams> = {}): ShareParams {
  return { ...shareParams.parse({ finetuneEpochs: 0 }), ...overrides };
}

function weightLayers(handle: ModelHandle): WeightLayer[] {
  return extractLayers(handle.model).filter(isWeightLayer);
}

function distinct(values: Float32Array): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}

async function accuracy(handle: ModelHandle, data: Dataset): Promise<number> {
  const predict = (x: tf.Tensor) => handle.model.predict(x) as tf.Tensor;
  return (await evaluate(predict, data.test, data.inputShape, data.numClasses)).accuracy;
}

describe('share stage', () => {
  it('keeps k = 2^bits shared values per layer, stores indices + codebook, frees its tensors', async () => {
    const { data, teacher } = await mlpTeacher();
    const ctx = testContext(data, teacher.model);
    const before = tf.memory().numTensors;
    const out = await runShare(ctx, teacher, params({ bits: 2 }));
    const layers = weightLayers(out);
    expect(layers.map((l) => l.name)).toEqual(['dense1', 'dense2', 'logits']);
    for (const [i, layer] of layers.entries()) {
      const book = out.codebooks![i]!;
      expect(book.name).toBe(layer.name);
      expect(book.initial).toHaveLength(4);
      expect(book.final).toEqual(book.initial);
      // Every weight is one of the layer's centroids, and each centroid is used.
      expect(distinct(layer.kernel)).toEqual(book.final);
    }
    const kernel = out.storage.find((s) => s.name === 'dense2/kernel')!;
    expect(kernel).toEqual({ name: 'dense2/kernel', shape: [16, 8], bits: 2, codebook: 4 });
    // Packed 2-bit indices (128 × 2 bits = 32 B) + 4 fp32 centroids (16 B) + the 8 B header.
    expect(tensorBytes(kernel)).toEqual({ name: 'dense2/kernel', encoding: 'packed', bytes: 56 });
    // Kernels 32 + 56 + 30 B, fp32 biases 4·(16 + 8 + 3) = 108 B; the fp32 teacher is 844 B.
    expect(modelBytes(out.storage)).toBe(226);
    expect(modelBytes(teacher.storage)).toBe(844);
    expect(out.label).toBe('k-means 2-bit');
    expect(out.notes[0]).toMatch(/^4 shared values per layer/);
    expect(ctx.progress.at(-1)).toEqual([1, 'clustered']);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('at 4 bits stays as accurate as the teacher on blobs; the same seed gives the same codebook', async () => {
    const { data, teacher } = await mlpTeacher();
    const first = await runShare(testContext(data, teacher.model), teacher, params({ bits: 4 }));
    const again = await runShare(testContext(data, teacher.model), teacher, params({ bits: 4 }));
    expect(again.codebooks).toEqual(first.codebooks);
    expect(await accuracy(first, data)).toBeGreaterThanOrEqual(
      (await accuracy(teacher, data)) - 0.03,
    );
    first.model.dispose();
    again.model.dispose();
  });

  it('fine-tunes the centroids: they move, weights stay on the codebook, biases train', async () => {
    const { data, teacher } = await mlpTeacher();
    const ctx = testContext(data, teacher.model);
    const before = tf.memory().numTensors;
    const out = await runShare(
      ctx,
      teacher,
      params({ bits: 3, finetuneEpochs: 2, learningRate: 0.01 }),
    );
    expect(ctx.steps.length).toBeGreaterThan(0);
    const layers = weightLayers(out);
    for (const [i, layer] of layers.entries()) {
      const book = out.codebooks![i]!;
      expect(book.final).not.toEqual(book.initial);
      expect(distinct(layer.kernel).length).toBeLessThanOrEqual(8);
      for (const w of distinct(layer.kernel)) expect(book.final).toContain(w);
    }
    const teacherBias = extractLayers(teacher.model).filter(isWeightLayer)[0]!.bias;
    expect(Array.from(layers[0]!.bias)).not.toEqual(Array.from(teacherBias));
    expect(out.label).toBe('k-means 3-bit + fine-tune 2 ep');
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('keeps pruned zeros out of the codebook: same zeros, sparse storage only', async () => {
    const { data, teacher } = await mlpTeacher();
    const ctx = testContext(data, teacher.model);
    const pruned = await runPrune(
      ctx,
      teacher,
      pruneParamsWith({ finetuneEpochs: 0, sparsity: 0.5 }),
    );
    const out = await runShare(ctx, pruned, params({ bits: 2, finetuneEpochs: 1 }));
    const prunedLayers = weightLayers(pruned);
    for (const [i, layer] of weightLayers(out).entries()) {
      const zerosBefore = prunedLayers[i]!.kernel.map((w) => (w === 0 ? 1 : 0));
      expect(Array.from(layer.kernel.map((w) => (w === 0 ? 1 : 0)))).toEqual(
        Array.from(zerosBefore),
      );
      expect(distinct(layer.kernel.filter((w) => w !== 0)).length).toBeLessThanOrEqual(4);
    }
    const kernel = out.storage.find((s) => s.name === 'dense2/kernel')!;
    expect(kernel.nonZeros).toBe(64);
    expect(tensorBytes(kernel).encoding).not.toBe('packed');
    expect(out.notes).toContain('pruned zeros stay zero, stored sparse');
    expect(out.effectiveMacs).toBeLessThan(out.macs);
    pruned.model.dispose();
    out.model.dispose();
  });

  it('says which layer has too few weights and how many bits fit; refuses quantized input', async () => {
    const { data, teacher } = await mlpTeacher();
    const ctx = testContext(data, teacher.model);
    const before = tf.memory().numTensors;
    const tooMany = runShare(ctx, teacher, params({ bits: 5 }));
    await expect(tooMany).rejects.toThrow(StageError);
    await expect(tooMany).rejects.toThrow(
      'logits has 24 weights, fewer than the 32 centroids of 5-bit sharing: choose at most 4 bits for this model.',
    );
    const quantized = { ...teacher, storage: teacher.storage.map((s) => ({ ...s, bits: 8 })) };
    await expect(runShare(ctx, quantized, params())).rejects.toThrow(/before quantization/);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a fine-tune after sharing moves weights off the codebook: they ship fp32 again', async () => {
    const { data, teacher } = await mlpTeacher();
    const ctx = testContext(data, teacher.model);
    const shared = await runShare(ctx, teacher, params({ bits: 2 }));
    const tuned = await runFinetune(ctx, shared, { epochs: 1, learningRate: 0.01 });
    const kernel = tuned.storage.find((s) => s.name === 'dense2/kernel')!;
    expect(kernel).toEqual({ name: 'dense2/kernel', shape: [16, 8], bits: 32 });
    const untouched = await runFinetune(ctx, shared, { epochs: 0, learningRate: 0.01 });
    expect(untouched.storage).toEqual(shared.storage);
    for (const h of [shared, tuned, untouched]) h.model.dispose();
  });

  it('shares conv kernels of a CNN too', async () => {
    const data = bars();
    const teacher = await trainedTeacher(CNN, data, 2);
    const out = await runShare(
      testContext(data, teacher.model),
      teacher,
      params({ bits: 3, finetuneEpochs: 1 }),
    );
    const conv = weightLayers(out).find((l) => l.kind === 'conv')!;
    expect(distinct(conv.kernel).length).toBeLessThanOrEqual(8);
    expect(out.storage.find((s) => s.name === 'conv1/kernel')).toMatchObject({
      bits: 3,
      codebook: 8,
    });
    teacher.model.dispose();
    out.model.dispose();
  });
});

describe('SharedDense', () => {
  it('sums the gradients of the weights sharing a centroid: ∂L/∂c_j = Σ_{A_i = j} ∂L/∂K_i', () => {
    const codes = [0, 1, 2, 1, 0, 3, 2, 2, 1, 0, 0, 1];
    const centroids = [-0.5, 0.1, 0.7];
    const before = tf.memory().numTensors;
    const layer = new SharedDense({ units: 3, centroids: 3, inputShape: [4] });
    const model = tf.sequential({ layers: [layer] });
    const kernel = codes.map((c) => (c === 3 ? 0 : centroids[c]!));
    const initial = [
      tf.tensor(kernel, [4, 3]),
      tf.tensor1d([0.1, -0.2, 0.3]),
      tf.tensor1d(centroids),
      tf.tensor(codes, [4, 3]),
    ];
    model.setWeights(initial);
    tf.dispose(initial);
    const x = tf.tensor([
      [1, 2, -1, 0.5],
      [0, -1, 3, 2],
    ]);
    const target = tf.tensor([
      [1, 0, 0],
      [0, 0, 1],
    ]);
    const loss = (y: tf.Tensor) => tf.losses.meanSquaredError(target, y);
    const shared = tf.variableGrads(() => loss(model.predict(x) as tf.Tensor) as tf.Scalar);
    // Only the bias and the codebook get gradients: the stored kernel is never read.
    expect(Object.keys(shared.grads).sort()).toEqual([
      `${layer.name}/bias`,
      `${layer.name}/codebook`,
    ]);
    const codebookGrad = shared.grads[`${layer.name}/codebook`]!.dataSync();
    const kernelValues = tf.tensor(kernel, [4, 3]);
    const plainKernel = tf.variable(kernelValues);
    const bias = tf.tensor1d([0.1, -0.2, 0.3]);
    const plain = tf.variableGrads(
      () => loss(tf.add(tf.matMul(x, plainKernel), bias)) as tf.Scalar,
      [plainKernel],
    );
    const kernelGrad = plain.grads[plainKernel.name]!.dataSync();
    const summed = [0, 0, 0];
    codes.forEach((c, i) => {
      if (c < 3) summed[c]! += kernelGrad[i]!;
    });
    summed.forEach((g, j) => expect(codebookGrad[j]).toBeCloseTo(g, 6));
    expect(Array.from(layer.getCodebook())).toEqual(Array.from(Float32Array.from(centroids)));
    tf.dispose([x, target, bias, kernelValues, plainKernel, shared.value, plain.value]);
    tf.dispose(Object.values(shared.grads));
    tf.dispose(Object.values(plain.grads));
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
