import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { findPreset } from '../experiment/presets';
import { makeSyntheticDataset } from './data/synthetic';
import { loadTechniqueStage } from './pipeline/registry';
import type { RunEvent } from './pipeline/runner';
import { EngineSession } from './session';
import { resultsFrom } from './network/test-fixtures';
import { teacherKey } from '../experiment/measurement';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('EngineSession.runAll', () => {
  it('runs every technique of the tiny preset, measures each, and reuses the teacher', async () => {
    const experiment = findPreset('tiny-pipeline')!.experiment;
    const session = new EngineSession(
      async (spec, seed) => makeSyntheticDataset(spec, seed),
      loadTechniqueStage,
    );
    const tensorsAtStart = tf.memory().numTensors;
    const events: RunEvent[] = [];
    const sources = new Set<string>();
    await session.runAll(
      experiment,
      (source) => sources.add(source),
      () => {},
      (e) => events.push(e),
    );
    // Results come only as events: the teacher once, before any variant event, then the rows.
    expect(events.filter((e) => e.kind === 'teacher')).toHaveLength(1);
    expect(events[0]).toMatchObject({ kind: 'teacher', teacher: { key: teacherKey(experiment) } });
    const first = resultsFrom(events);
    expect(first.teacher!.measurement.variant).toBe('teacher');
    const errors = events.filter((e) => e.kind === 'error');
    expect(errors).toEqual([]);
    expect(first.variants.map((v) => v.variant)).toEqual([
      'INT8 dynamic PTQ',
      'INT8 static PTQ',
      'QAT w4a8',
      'fp32 control: +2 epochs',
      '50% pruned',
      'Structured 25%',
      'Low-rank r=4',
      'k-means 3-bit',
      'Distilled student',
      'Distilled student — student alone',
    ]);
    const teacher = first.teacher!.measurement;
    const [dynamic, stat, qatRow] = first.variants;
    // int8 kernels: a quarter of the float bytes plus headers, scales and fp32 biases (a tiny
    // model: the overheads weigh); 4-bit less still.
    for (const v of [dynamic!, stat!]) expect(v.sizeBytes / teacher.sizeBytes).toBeLessThan(0.5);
    expect(qatRow!.sizeBytes).toBeLessThan(stat!.sizeBytes);
    // 8-bit PTQ barely moves accuracy; each row names the path it was timed on.
    for (const v of [dynamic!, stat!]) expect(v.accuracy).toBeGreaterThan(teacher.accuracy - 0.03);
    expect(dynamic!.note).toMatch(/Timed on: int8 wasm engine.*activation grids from each batch/);
    expect(stat!.note).toMatch(/Timed on: .*int8/);
    // On our engine the note names each layer's measured kernel (the tiny model: 3 layers).
    expect(stat!.note).toMatch(
      /int8 wasm engine, .*layers: (?:(?:one relaxed dot|relaxed i16 dot|two relaxed dots|int16 dot) ×[1-3](?:, )?)+ \(measured per layer\)/,
    );
    expect(first.variants.every((v) => v.accuracy > 0.5)).toBe(true);
    // Every variant is timed in alternation with the teacher as it ships; speedups use that pair.
    for (const v of first.variants) {
      expect(v.pairedTeacherB32MedianMs).toBeGreaterThan(0);
      expect(v.note).toMatch(/the teacher timed in alternation with it/);
    }
    // The fp32 control: the teacher fine-tuned as long as the variants that train, uncompressed.
    const control = first.variants[3]!;
    expect([control.sizeBytes, control.params]).toEqual([teacher.sizeBytes, teacher.params]);
    expect(control.pipeline).toBe('teacher → finetune');
    expect(sources.has('teacher')).toBe(true);
    expect(sources.has('kd')).toBe(true);
    // A second run reuses the teacher and every cached stage: no training steps at all.
    sources.clear();
    const secondEvents: RunEvent[] = [];
    await session.runAll(
      experiment,
      (source) => sources.add(source),
      () => {},
      (e) => secondEvents.push(e),
    );
    const second = resultsFrom(secondEvents);
    expect(sources.size).toBe(0);
    expect(second.variants.map((v) => v.accuracy)).toEqual(first.variants.map((v) => v.accuracy));

    // The views' data: the pruned variant's stored kernels are half zeros, QAT used 4 bits.
    const pruned = await session.inspect('pruned', experiment);
    expect(pruned.prune.total.sparsity).toBeCloseTo(0.5, 1);
    const qat = await session.inspect('qat', experiment);
    expect(qat.quant.params.weightBits).toBe(4);
    expect(qat.quant.layers.length).toBe(3);
    expect((await session.inspect('teacher', experiment)).lowrank.length).toBe(3);
    await expect(session.inspect('nope', experiment)).rejects.toThrow(/run it first/);
    const t = await session.temperature(0, 'kd');
    expect(t.temperatures).toHaveLength(20);
    expect(t.student).not.toBeNull();

    // Freeing the models leaves exactly the tensors there were before the run: nothing leaked.
    expect(tf.memory().numTensors).toBeGreaterThan(tensorsAtStart);
    session.releaseModels();
    expect(tf.memory().numTensors).toBe(tensorsAtStart);
    await expect(session.inspect('teacher', experiment)).rejects.toThrow();
  }, 120_000);
});
