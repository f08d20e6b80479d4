import { describe, expect, it } from 'vitest';
import { DEFAULT_PRESET } from '../experiment/presets';
import type { TeacherResult, VariantMeasurement } from '../worker/protocol';
import {
  MAX_EXPERIMENT_FILE_BYTES,
  buildExperimentFile,
  experimentFileSizeProblem,
  modelJsonText,
  parseExperimentFile,
} from './files';
import { parseMeasurement } from '../experiment/measurement';

// A parsed file, freely edited to corrupt it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const row = (variant: string, accuracy: number): VariantMeasurement => ({
  variant,
  pipeline: 'teacher → ptq',
  accuracy,
  sizeBytes: 1234,
  gzipBytes: null,
  params: 100,
  macs: 200,
  effectiveMacs: 150,
  latencyB1MedianMs: 0.5,
  latencyB1P90Ms: 0.7,
  latencyB32MedianMs: null,
  latencyB32P90Ms: null,
  note: '',
});

const teacher: TeacherResult = {
  key: 'k',
  accuracy: 0.9,
  confusion: [9, 1, 1, 9],
  numClasses: 2,
  params: 100,
  steps: 10,
  elapsedMs: 50,
  samplesPerSec: 1000,
  backend: 'cpu',
  epochs: [{ epoch: 1, testAccuracy: 0.9 }],
  measurement: row('teacher', 0.9),
};

const weights = {
  modelTopology: { class_name: 'Sequential' },
  weightSpecs: [{ name: 'dense/kernel', shape: [2, 1], dtype: 'float32' as const }],
  weightData: new Float32Array([1.5, -2]).buffer,
};

describe('experiment files', () => {
  it('round-trips experiment, results and teacher weights', () => {
    const text = buildExperimentFile(
      DEFAULT_PRESET.experiment,
      teacher,
      [row('int8', 0.88)],
      weights,
    );
    const parsed = parseExperimentFile(text);
    expect(parsed.experiment).toEqual(DEFAULT_PRESET.experiment);
    expect(parsed.teacher).toEqual(teacher);
    expect(parsed.variants.map((v) => v.accuracy)).toEqual([0.88]);
    expect(Array.from(new Float32Array(parsed.teacherWeights!.weightData))).toEqual([1.5, -2]);
  });

  it('rejects corrupt or foreign files with a clear message', () => {
    expect(() => parseExperimentFile('{not json')).toThrow(/not JSON/);
    expect(() => parseExperimentFile('{"format":"other"}')).toThrow(/not a Compression/);
    const good = JSON.parse(
      buildExperimentFile(DEFAULT_PRESET.experiment, teacher, [row('a', 0.5)], weights),
    ) as Doc;
    const bad = (change: (d: Doc) => void) => {
      const copy = structuredClone(good);
      change(copy);
      return () => parseExperimentFile(JSON.stringify(copy));
    };
    expect(bad((d) => (d.version = 7))).toThrow(/version 7/);
    expect(bad((d) => (d.results.variants[0].accuracy = 'high'))).toThrow(/row 1/);
    expect(bad((d) => (d.results.variants[0].accuracy = 1.5))).toThrow(/row 1/);
    expect(bad((d) => delete d.results.teacher.measurement)).toThrow(/teacher results/);
    expect(bad((d) => (d.teacherWeights.weightData = 'AAAA'))).toThrow(/damaged.*bytes/);
    expect(bad((d) => (d.teacherWeights.weightData = '!!!!'))).toThrow(/damaged/);
    expect(bad((d) => (d.experiment.seed = 'x'))).toThrow(/experiment is invalid/);
  });

  it('checks measurements field by field and writes a stock model.json', () => {
    expect(parseMeasurement(row('a', 0.5))).toEqual(row('a', 0.5));
    expect(parseMeasurement({ ...row('a', 0.5), latencyB1MedianMs: 'fast' })).toBeNull();
    const json = JSON.parse(modelJsonText(weights)) as {
      format: string;
      weightsManifest: { paths: string[] }[];
    };
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  });
});

describe('experimentFileSizeProblem', () => {
  it('reads files up to 64 MiB and refuses larger ones unread, saying the sizes', () => {
    expect(experimentFileSizeProblem(MAX_EXPERIMENT_FILE_BYTES)).toBeNull();
    expect(experimentFileSizeProblem(MAX_EXPERIMENT_FILE_BYTES + 1)).toBe(
      'The file is 64.0 MiB; experiment files up to 64.0 MiB are read.',
    );
    expect(experimentFileSizeProblem(200 * 1024 * 1024)).toMatch(/^The file is 200\.0 MiB/);
  });
});
