import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { PRESETS, findPreset } from '../presets';
import type { Experiment } from '../schema';
import { experimentSchema } from '../schema';
import { decodeExperimentLink } from './decode';
import { encodeExperimentLink, linkDocument } from './encode';
import { MAX_LINK_CHARS, checkCode } from './format';
import { reportedBySharer } from './reported';

/** The JSON text inside a link. */
function jsonOf(hash: string): string {
  const payload = /^#x=([^&]*)&c=/.exec(hash)?.[1] ?? '';
  return LZString.decompressFromEncodedURIComponent(payload);
}

const withVariants: Experiment = experimentSchema.parse({
  ...findPreset('mnist-cnn')!.experiment,
  variants: [
    {
      id: 'p50',
      name: 'Prune 50% then QAT w4',
      stages: [
        { technique: 'prune', params: { schedule: 'gradual' } },
        { technique: 'qat', params: { weightBits: 4 } },
      ],
    },
    {
      id: 'kd',
      name: 'Distilled student',
      source: 'student',
      student: { kind: 'mlp', hidden: [32] },
      stages: [{ technique: 'distill' }, { technique: 'ptq' }],
    },
  ],
});

describe('encodeExperimentLink', () => {
  it('writes #x=<lz-string>&c=<check code> and the default experiment as {"v":1}', () => {
    const hash = encodeExperimentLink(experimentSchema.parse({}));
    expect(hash).toMatch(/^#x=[A-Za-z0-9+$-]+&c=[0-9a-z]{1,7}$/);
    expect(jsonOf(hash)).toBe('{"v":1}');
    expect(hash.endsWith(`&c=${checkCode('{"v":1}')}`)).toBe(true);
  });

  it('drops every field equal to its default, keeping kind, technique, ids and names', () => {
    const doc = linkDocument(withVariants);
    expect(doc).toEqual({
      v: 1,
      name: 'MNIST with the reference CNN',
      dataset: { id: 'mnist', trainSize: 10000, testSize: 2000 },
      teacher: {
        architecture: {
          kind: 'cnn',
          convs: [
            { filters: 16, kernel: 3 },
            { filters: 32, kernel: 3 },
          ],
        },
        training: { learningRate: 0.001, batchSize: 128, epochs: 2 },
      },
      variants: [
        {
          id: 'p50',
          name: 'Prune 50% then QAT w4',
          stages: [
            { technique: 'prune', params: { schedule: 'gradual' } },
            { technique: 'qat', params: { weightBits: 4 } },
          ],
        },
        {
          id: 'kd',
          name: 'Distilled student',
          source: 'student',
          student: { kind: 'mlp', hidden: [32] },
          stages: [{ technique: 'distill' }, { technique: 'ptq' }],
        },
      ],
    });
  });

  it('round-trips every preset exactly', () => {
    for (const preset of PRESETS) {
      const d = decodeExperimentLink(encodeExperimentLink(preset.experiment));
      expect(d.problems).toEqual([]);
      expect(d.experiment).toEqual(preset.experiment);
    }
  });

  it('round-trips the autorun flag, the open views and the reported results', () => {
    const reported = reportedBySharer([
      { variant: 'teacher', accuracy: 0.9871, sizeBytes: 421_544, latencyMs: 1.234 },
      { variant: 'p50', accuracy: 0.9802, sizeBytes: 60_123, latencyMs: null },
    ]);
    const view = { tab: 'results' as const, lesson: 'quantization', panels: ['quant-grid'] };
    const d = decodeExperimentLink(
      encodeExperimentLink(withVariants, { autorun: true, view, reported }),
    );
    expect(d.problems).toEqual([]);
    expect(d.experiment).toEqual(withVariants);
    expect(d.autorun).toBe(true);
    expect(d.view).toEqual({ ...view, liveSource: 'teacher' });
    expect(d.reported).toEqual(reported);
    expect(decodeExperimentLink(encodeExperimentLink(withVariants)).autorun).toBe(false);
  });

  it('rounds reported accuracy to 0.01 % and latency to 1 µs, as a compact list', () => {
    const reported = reportedBySharer([
      { variant: 'teacher', accuracy: 0.987654321, sizeBytes: 1000, latencyMs: 0.123456789 },
    ]);
    const hash = encodeExperimentLink(withVariants, { reported });
    expect(JSON.parse(jsonOf(hash)).reported).toEqual([['teacher', 0.9877, 1000, 0.123]]);
    expect(decodeExperimentLink(hash).reported?.rows[0]).toEqual({
      variant: 'teacher',
      accuracy: 0.9877,
      sizeBytes: 1000,
      latencyMs: 0.123,
    });
  });

  it('keeps a full experiment (12 variants × 8 stages, every param changed) under 8 KB', () => {
    const stages = [
      { technique: 'prune', params: { kind: 'nm', sparsity: 0.75, n: 2, m: 4, rounds: 5 } },
      { technique: 'qat', params: { weightBits: 4, activationBits: 6, learnedScale: true } },
      { technique: 'ptq', params: { mode: 'dynamic', observer: 'percentile', percentile: 99.9 } },
      { technique: 'distill', params: { temperature: 6, alpha: 0.5, hintWeight: 0.1 } },
      { technique: 'lowrank', params: { rankMode: 'rank', rank: 12, finetuneEpochs: 3 } },
      { technique: 'finetune', params: { epochs: 4, learningRate: 0.0003 } },
      { technique: 'prune', params: { kind: 'structured', scope: 'global', sparsity: 0.3 } },
      { technique: 'ptq', params: { weightBits: 3, scheme: 'asymmetric', powerOfTwo: true } },
    ];
    const variants = Array.from({ length: 12 }, (_, i) => ({
      id: `variant-${i}`,
      name: `Variant number ${i}: prune, quantize, distill`,
      source: 'student',
      student: { kind: 'cnn', convs: [{ filters: 8 + i, kernel: 5 }], dense: [64, 32] },
      stages,
    }));
    const big = experimentSchema.parse({ ...withVariants, variants });
    const hash = encodeExperimentLink(big, { autorun: true });
    expect(hash.length).toBeLessThan(MAX_LINK_CHARS);
    const d = decodeExperimentLink(hash);
    expect(d.problems).toEqual([]);
    expect(d.experiment).toEqual(big);
  });

  it('carries HTML in a name as plain text, unchanged', () => {
    const name = '<img src=x onerror="alert(1)"><script>alert(2)</script>';
    const e = experimentSchema.parse({ name });
    const d = decodeExperimentLink(encodeExperimentLink(e));
    expect(d.problems).toEqual([]);
    expect(d.experiment.name).toBe(name);
  });
});
