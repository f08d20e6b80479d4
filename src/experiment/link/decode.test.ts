import LZString from 'lz-string';
import { describe, expect, it } from 'vitest';
import { experimentSchema } from '../schema';
import { decodeExperimentLink } from './decode';
import { encodeExperimentLink, packLink } from './encode';
import { MAX_PROBLEMS } from './messages';

const DEFAULTS = experimentSchema.parse({});
/** A link carrying this document, with a correct check code. */
const link = (doc: unknown) => packLink(JSON.stringify(doc));

describe('decodeExperimentLink: unreadable links fall back to the defaults', () => {
  it('reads an empty hash as the defaults with no problems', () => {
    for (const hash of ['', '#', '  # ']) {
      const d = decodeExperimentLink(hash);
      expect(d.problems).toEqual([]);
      expect(d.experiment).toEqual(DEFAULTS);
      expect(d.hasExperiment).toBe(false);
    }
  });

  it.each([
    ['#lesson=quantization', /no experiment in it/],
    ['#x=', /do not belong/],
    ['#x=<script>alert(1)</script>', /do not belong/],
    ['#x=%E0%A4%A', /do not belong/],
    ['#x=AAAA', /could not be unpacked/],
    [`#x=${LZString.compressToEncodedURIComponent('{"v":1,"seed":')}`, /not readable/],
    [`#x=${LZString.compressToEncodedURIComponent('[1,2,3]')}`, /not an experiment/],
    [`#x=${LZString.compressToEncodedURIComponent(' '.repeat(70_000))}`, /far more/],
  ])('%s → %s', (hash, message) => {
    const d = decodeExperimentLink(hash);
    expect(d.problems.join('\n')).toMatch(message);
    expect(d.experiment).toEqual(DEFAULTS);
    expect(d.hasExperiment).toBe(false);
  });

  it('refuses a link over 8 KB unread, saying so', () => {
    const hash = `#x=${'A'.repeat(8200)}`;
    const d = decodeExperimentLink(hash);
    expect(d.problems).toEqual([
      'This link is too long (8.0 KB; links up to 8 KB are accepted), so it was not loaded.',
    ]);
    expect(d.experiment).toEqual(DEFAULTS);
  });

  it('never throws, even for input that is not text', () => {
    const d = decodeExperimentLink(42 as unknown as string);
    expect(d.problems).toEqual(['This link is not text.']);
  });
});

describe('decodeExperimentLink: damaged links', () => {
  const good = encodeExperimentLink(experimentSchema.parse({ seed: 7 }), { autorun: true });

  it('accepts a whole URL, line breaks from mail and "+" turned into spaces', () => {
    const url = `https://example.org/playground/${good}`;
    expect(decodeExperimentLink(url).experiment.seed).toBe(7);
    const wrapped = good.slice(0, 20) + '\r\n' + good.slice(20);
    expect(decodeExperimentLink(wrapped).problems).toEqual([]);
  });

  it('notices a wrong or missing check code but still loads the settings, without autorun', () => {
    const wrong = decodeExperimentLink(good.replace(/&c=.*$/, '&c=0'));
    expect(wrong.problems[0]).toMatch(/check code does not match/);
    expect(wrong.experiment.seed).toBe(7);
    expect(wrong.autorun).toBe(false);
    const missing = decodeExperimentLink(good.replace(/&c=.*$/, ''));
    expect(missing.problems[0]).toMatch(/no check code/);
    expect(missing.autorun).toBe(false);
  });
});

describe('decodeExperimentLink: field-by-field restore', () => {
  it('keeps the valid fields and names each replaced one in plain words', () => {
    const d = decodeExperimentLink(
      link({
        v: 1,
        seed: 5,
        dataset: { id: 'moons', trainSize: 5 },
        teacher: { training: { learningRate: 0, epochs: 3 } },
      }),
    );
    expect(d.problems).toEqual([
      'dataset.trainSize: must be at least 10 — using the default 1000',
      'teacher.training.learningRate: learning rate must be above 0 — using the default 0.01',
    ]);
    expect(d.experiment.seed).toBe(5);
    expect(d.experiment.dataset).toEqual({ ...DEFAULTS.dataset, id: 'moons' });
    expect(d.experiment.teacher.training).toEqual({ ...DEFAULTS.teacher.training, epochs: 3 });
    expect(d.hasExperiment).toBe(true);
  });

  it('repairs an architecture field by field, and falls back when its kind is unknown', () => {
    const cnn = decodeExperimentLink(
      link({
        v: 1,
        teacher: {
          architecture: { kind: 'cnn', convs: [{ filters: 0 }, { filters: 8 }], dense: 'x' },
        },
      }),
    );
    expect(cnn.experiment.teacher.architecture).toEqual({
      kind: 'cnn',
      convs: [{ filters: 8, kernel: 3 }],
      dense: [128],
      activation: 'relu',
    });
    expect(cnn.problems).toEqual([
      'teacher.architecture.convs[0].filters: must be at least 1 — teacher.architecture.convs[0] was left out',
      'teacher.architecture.dense: must be a list — using the default [128]',
    ]);
    const odd = decodeExperimentLink(link({ v: 1, teacher: { architecture: { kind: 'rnn' } } }));
    expect(odd.experiment.teacher.architecture).toEqual(DEFAULTS.teacher.architecture);
    expect(odd.problems[0]).toMatch(/^teacher\.architecture\.kind: "rnn" is not one of mlp, cnn/);
  });

  it('keeps valid variants and stages, leaves out invalid ones and repeated ids, naming them', () => {
    const d = decodeExperimentLink(
      link({
        v: 1,
        variants: [
          { id: 'Bad Id', name: 'x' },
          {
            id: 'p',
            name: 'Prune',
            stages: [
              { technique: 'prune', params: { n: 5, m: 4, sparsity: 0.9 } },
              { technique: 'zip' },
              { technique: 'ptq', params: { weightBits: 1 } },
            ],
          },
          { id: 'p', name: 'Again' },
          { id: 's', name: 'Student without architecture', source: 'student' },
        ],
      }),
    );
    expect(d.experiment.variants).toHaveLength(1);
    const [variant] = d.experiment.variants;
    expect(variant?.stages.map((s) => s.technique)).toEqual(['prune', 'ptq']);
    expect(variant?.stages[0]?.params).toMatchObject({ n: 2, m: 4, sparsity: 0.9 });
    expect(variant?.stages[1]?.params).toMatchObject({ weightBits: 8 });
    expect(d.problems).toEqual([
      'variants[0].id: variant ids are 1–32 lowercase letters, digits or dashes — variants[0] ("Bad Id") was left out',
      'variants[1].stages[0].params.n: N must not exceed M in N:M sparsity — using the default 2',
      'variants[1].stages[1].technique: "zip" is not one of finetune, ptq, qat, prune, distill, lowrank, share — variants[1].stages[1] was left out',
      'variants[1].stages[2].params.weightBits: bits must be between 2 and 16 — using the default 8',
      'variants[2] ("p"): variant ids must be unique — left out',
      'variants[3].student: a variant that starts from a student needs the student architecture — variants[3] ("s") was left out',
    ]);
  });

  it('keeps the first 12 of too many variants', () => {
    const variants = Array.from({ length: 14 }, (_, i) => ({ id: `v${i}`, name: `V${i}` }));
    const d = decodeExperimentLink(link({ v: 1, variants }));
    expect(d.experiment.variants.map((v) => v.id)).toEqual(variants.slice(0, 12).map((v) => v.id));
    expect(d.problems).toEqual([
      'variants: at most 12 variants fit in an experiment — kept the first 12',
    ]);
  });

  it('ignores unknown settings, saying so', () => {
    const d = decodeExperimentLink(link({ v: 1, seed: 3, colour: 'red', dataset: { size: 9 } }));
    expect(d.experiment.seed).toBe(3);
    expect(d.problems).toEqual([
      'colour: unknown setting — ignored',
      'dataset.size: unknown setting — ignored',
    ]);
  });

  it('reads a link from a newer app, keeping what validates', () => {
    const d = decodeExperimentLink(link({ v: 3, seed: 9, dataset: { id: 'xor' }, hologram: true }));
    expect(d.problems[0]).toMatch(/made by a newer version of the app \(format 3/);
    expect(d.experiment.seed).toBe(9);
    expect(d.experiment.dataset.id).toBe('xor');
    expect(d.version).toBe(3);
  });

  it('repairs the view, the reported rows and the autorun flag separately', () => {
    const d = decodeExperimentLink(
      link({
        v: 1,
        autorun: 'yes',
        view: { tab: 'settings', lesson: 'pruning' },
        reported: [['teacher', 0.9, 100, 1], ['kd', 1.5, 100, 1], 'row'],
      }),
    );
    expect(d.autorun).toBe(false);
    expect(d.view).toEqual({
      tab: 'experiment',
      liveSource: 'teacher',
      lesson: 'pruning',
      panels: [],
    });
    expect(d.reported).toEqual({
      by: 'sharer',
      rows: [{ variant: 'teacher', accuracy: 0.9, sizeBytes: 100, latencyMs: 1 }],
    });
    expect(d.problems).toEqual([
      'view.tab: must be one of experiment, live, results — using the default "experiment"',
      'reported[1].accuracy: must be at most 1 — left out',
      'reported[2]: must be [variant, accuracy, sizeBytes, latencyMs] — left out',
      'autorun: must be true or false — not starting',
    ]);
  });
});

describe('decodeExperimentLink: hostile content', () => {
  it('drops prototype keys and never pollutes Object.prototype', () => {
    const json =
      '{"v":1,"__proto__":{"polluted":1},"seed":4,' +
      '"dataset":{"constructor":{"prototype":{"polluted":2}}},' +
      '"variants":[{"id":"a","name":"A","__proto__":{"source":"student"}}]}';
    const d = decodeExperimentLink(packLink(json));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(d.experiment)).toBe(Object.prototype);
    expect(d.experiment.seed).toBe(4);
    expect(d.experiment.variants[0]?.source).toBe('teacher');
    expect(d.problems).toEqual([
      '__proto__: a setting named "__proto__" is not allowed — ignored',
      'dataset.constructor: a setting named "constructor" is not allowed — ignored',
      'variants[0].__proto__: a setting named "__proto__" is not allowed — ignored',
    ]);
  });

  it('ignores deep nesting, huge lists and huge strings, with a capped list of problems', () => {
    const deep = decodeExperimentLink(
      packLink(`{"v":1,"name":${'['.repeat(5000)}${']'.repeat(5000)}}`),
    );
    expect(deep.problems.join('\n')).toMatch(/nested too deeply/);
    const many = decodeExperimentLink(
      link({ v: 1, variants: Array.from({ length: 3000 }, () => 7) }),
    );
    expect(many.problems[0]).toMatch(/a list of 3000 items is too long — read the first 64/);
    expect(many.problems).toHaveLength(MAX_PROBLEMS);
    expect(many.problems.at(-1)).toMatch(/^…and \d+ more problems$/);
    const long = decodeExperimentLink(link({ v: 1, name: 'x'.repeat(5000) }));
    expect(long.problems).toEqual(['name: text of 5000 characters is far too long — ignored']);
    expect(long.experiment.name).toBe(DEFAULTS.name);
  });
});
