import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '../../../engine/data/types';
import { modelBytes } from '../../../engine/measure/size';
import { buildModel } from '../../../engine/network/build';
import { isMaskedLayer } from '../../prune/stage/masked-layers';
import { evaluate } from '../../../engine/train/evaluate';
import { runFinetune, stageTraining } from './finetune';
import { handleFromModel } from '../../../engine/network/handle';
import { extractLayers } from '../../../engine/network/layer-ir';
import { runPrune } from '../../prune/stage/prune';
import {
  MLP,
  blobs,
  pruneParamsWith,
  testContext,
  trainedTeacher,
  weightValues,
} from '../../../engine/network/test-fixtures';
import { StageError } from '../../../engine/network/stage-types';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

async function accuracy(model: tf.LayersModel, data: Dataset): Promise<number> {
  const predict = (x: tf.Tensor) => model.predict(x) as tf.Tensor;
  return (await evaluate(predict, data.test, data.inputShape, data.numClasses)).accuracy;
}

function zeroPositions(model: tf.LayersModel): number[][] {
  return extractLayers(model).map((l) =>
    l.kind === 'dense' || l.kind === 'conv'
      ? Array.from(l.kernel).flatMap((w, i) => (w === 0 ? [i] : []))
      : [],
  );
}

describe('finetune stage', () => {
  it('trains a fresh student alone: well above chance, input untouched, fp32 storage', async () => {
    const data = blobs();
    const model = buildModel(MLP, data.inputShape, data.numClasses, 11);
    const input = handleFromModel(model, MLP, data.inputShape, data.numClasses, 'student');
    const before = weightValues(model);
    const tensors = tf.memory().numTensors;
    const ctx = testContext(data, model);
    const out = await runFinetune(ctx, input, { epochs: 5, learningRate: 0.02 });

    expect(await accuracy(model, data)).toBeLessThan(0.8); // untrained input stays untrained
    expect(await accuracy(out.model, data)).toBeGreaterThan(0.9); // chance is 1/3
    expect(weightValues(model)).toEqual(before);
    expect(ctx.steps).toHaveLength(5 * Math.ceil(192 / 32));
    expect(ctx.steps.at(-1)!.loss).toBeLessThan(ctx.steps[0]!.loss);
    // MLP [2]→16→8→3: (2·16 + 16) + (16·8 + 8) + (8·3 + 3) = 211 float32 weights.
    expect(modelBytes(out.storage)).toBe(211 * 4);
    expect(out.macs).toBe(2 * 16 + 16 * 8 + 8 * 3);
    expect(out.effectiveMacs).toBe(out.macs);
    expect(out.label).toBe('train 5 ep');
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    model.dispose();
  });

  it('keeps the masks of a pruned input: the same zeros, non-zero counts and effective MACs', async () => {
    const data = blobs();
    const teacher = await trainedTeacher(MLP, data);
    const ctx = testContext(data, teacher.model);
    const pruned = await runPrune(ctx, teacher, pruneParamsWith({ finetuneEpochs: 0 }));
    const before = weightValues(pruned.model);
    const tensors = tf.memory().numTensors;
    const out = await runFinetune(ctx, pruned, { epochs: 2, learningRate: 0.01 });

    expect(out.model.layers.filter(isMaskedLayer)).toHaveLength(3);
    expect(zeroPositions(out.model)).toEqual(zeroPositions(pruned.model));
    expect(out.storage).toEqual(pruned.storage);
    expect(out.effectiveMacs).toBe(pruned.effectiveMacs);
    expect(out.notes).toEqual(pruned.notes);
    expect(out.label).toBe('fine-tune 2 ep');
    // The kept weights did train, and the input did not change.
    expect(weightValues(out.model)).not.toEqual(before);
    expect(weightValues(pruned.model)).toEqual(before);
    out.model.dispose();
    expect(tf.memory().numTensors).toBe(tensors);
    pruned.model.dispose();
    teacher.model.dispose();
  });

  it('with 0 epochs returns an identical copy and says it was not trained', async () => {
    const data = blobs(64, 32);
    const model = buildModel(MLP, data.inputShape, data.numClasses, 4);
    const input = handleFromModel(model, MLP, data.inputShape, data.numClasses, 'teacher');
    const ctx = testContext(data, model);
    const out = await runFinetune(ctx, input, { epochs: 0, learningRate: 0.01 });
    expect(out.model).not.toBe(model);
    expect(weightValues(out.model)).toEqual(weightValues(model));
    expect(ctx.steps).toHaveLength(0);
    expect(out.notes).toContain('0 epochs: the model was not trained');
    out.model.dispose();
    model.dispose();
  });

  it('refuses an input that runs as a converted quantized model', async () => {
    const data = blobs(64, 32);
    const model = buildModel(MLP, data.inputShape, data.numClasses, 4);
    const input = {
      ...handleFromModel(model, MLP, data.inputShape, data.numClasses, 'ptq'),
      predict: (x: tf.Tensor) => model.predict(x) as tf.Tensor,
    };
    const run = runFinetune(testContext(data, model), input, {
      epochs: 1,
      learningRate: 0.01,
    });
    await expect(run).rejects.toThrow(StageError);
    await expect(run).rejects.toThrow(/before the quantization stage/);
    model.dispose();
  });

  it('uses batch 128 for images and 32 otherwise, with Adam', () => {
    expect(stageTraining(3, 0.002, [8, 8, 1])).toEqual({
      optimizer: 'adam',
      learningRate: 0.002,
      momentum: 0.9,
      batchSize: 128,
      epochs: 3,
    });
    expect(stageTraining(1, 0.01, [2]).batchSize).toBe(32);
  });
});
