import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportWithCodes, fitsUint8 } from './tfjs-codes';
import { loadExported } from './artifacts';
import { runPtq } from '../../techniques/quantize/stage/ptq';
import { runQat } from '../../techniques/quantize/stage/qat';
import { ptqParamsWith, qatParamsWith } from '../../techniques/quantize/stage/test-fixtures';
import { MLP, blobs, testContext, trainedTeacher } from '../network/test-fixtures';
import { buildFromLayers, extractLayers } from '../network/layer-ir';
import { disposeHandle } from '../network/handle';
import type { ModelHandle } from '../network/stage-types';

let data: ReturnType<typeof blobs>;
let teacher: ModelHandle;

beforeAll(async () => {
  await tf.setBackend('cpu');
  data = blobs();
  teacher = await trainedTeacher(MLP, data, 4);
});
afterAll(() => disposeHandle(teacher));

/** The logits of `model` on the whole test split. */
function logits(model: tf.LayersModel): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor(data.test.x, [data.test.count, 2]);
    return (model.predict(x) as tf.Tensor).dataSync() as Float32Array;
  });
}

/** The float-equivalent model the variant computes with: its plain layers with ŵ from its codes. */
function floatEquivalent(handle: ModelHandle): tf.LayersModel {
  const layers = extractLayers(handle.model).map((l) => {
    const coded = handle.weightCodes?.get(l.name);
    return coded && (l.kind === 'dense' || l.kind === 'conv')
      ? { ...l, kernel: coded.dequantized }
      : l;
  });
  return buildFromLayers(layers, [2]);
}

describe('tfjs download of a quantized variant', () => {
  it('per-tensor int8: uint8 on the variant’s own grid, read back by stock tfjs exactly', async () => {
    const ctx = testContext(data, teacher.model);
    const handle = await runPtq(
      ctx,
      teacher,
      ptqParamsWith({ mode: 'weight-only', granularity: 'per-tensor' }),
    );
    const exported = await exportWithCodes(handle.model, [2], handle.weightCodes!);
    const kernels = exported.weightSpecs.filter((s) => s.name.endsWith('/kernel'));
    expect(kernels.every((s) => s.quantization?.dtype === 'uint8')).toBe(true);
    expect(
      exported.weightSpecs.filter((s) => s.name.endsWith('/bias')).every((s) => !s.quantization),
    ).toBe(true);
    expect(exported.notes).toEqual([]);
    const loaded = await loadExported(exported);
    // Every weight equals the ŵ of the codes, bit for bit; so do the logits.
    for (const [name, coded] of handle.weightCodes!) {
      const read = loaded.getLayer(name).getWeights()[0]!.dataSync();
      expect(Array.from(read)).toEqual(Array.from(coded.dequantized));
    }
    const reference = floatEquivalent(handle);
    expect(Array.from(logits(loaded))).toEqual(Array.from(logits(reference)));
    // One byte a weight: far smaller than float32.
    expect(exported.weightData.byteLength).toBeLessThan(0.5 * (await teacherBytes()));
    loaded.dispose();
    reference.dispose();
    disposeHandle(handle);
  });

  it('QAT per-channel: exports ŵ of its learned grid (not the float shadow weights), as float32', async () => {
    const ctx = testContext(data, teacher.model);
    const handle = await runQat(ctx, teacher, qatParamsWith({ weightBits: 4, epochs: 1 }));
    expect([...handle.weightCodes!.values()].every((k) => !fitsUint8(k))).toBe(true);
    const exported = await exportWithCodes(handle.model, [2], handle.weightCodes!);
    expect(exported.notes?.join(' ')).toMatch(/per-channel grids have no stock-tfjs encoding/);
    const loaded = await loadExported(exported);
    const shadow = extractLayers(handle.model);
    for (const [name, coded] of handle.weightCodes!) {
      const read = Array.from(loaded.getLayer(name).getWeights()[0]!.dataSync());
      expect(read).toEqual(Array.from(coded.dequantized));
      const float = shadow.find((l) => l.name === name)!;
      if (float.kind === 'dense') expect(read).not.toEqual(Array.from(float.kernel));
    }
    const reference = floatEquivalent(handle);
    expect(Array.from(logits(loaded))).toEqual(Array.from(logits(reference)));
    loaded.dispose();
    reference.dispose();
    disposeHandle(handle);
  });
});

async function teacherBytes(): Promise<number> {
  const layers = extractLayers(teacher.model);
  return layers.reduce(
    (a, l) => a + (l.kind === 'dense' ? 4 * (l.kernel.length + l.bias.length) : 0),
    0,
  );
}
