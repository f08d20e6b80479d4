import { describe, expect, it } from 'vitest';
import { experimentSchema } from '../schema';
import { decodeExperimentLink } from './decode';
import { packLink } from './encode';
import { CURRENT_VERSION, MIGRATIONS, migrate, versionOf } from './migrate';

/**
 * A link as the first version of the app wrote it (no `v`, no check code), of
 * {"name":"Digits from the first version","seed":7,
 *  "data":{"name":"digits","train":2000,"test":400,"noise":20},
 *  "model":{"type":"mlp","layers":[64,32],"act":"tanh"},"lr":0.003,"batch":50,"epochs":5}
 */
const STORED_V0_LINK =
  '#x=N4IgdghgtgpiBcIAiBLA5igLgZwAQDMAnAeyl0wAsYCVDtNcA3GOlYsEAGhGxhgBMEAdm78ImCAlCRYCEP3RZsXEJkIQUHeACYADPu6YY9BABYD4Yil4I9AX25Ri-GABspqgJ4AHOIiiu3iquEJ4syvAA2gBsppwAzNoAutwQAMaYchJgFCAOIK6ECLoAdPrx3ABG4mm58ACsutww3sS1EfV2QA';

describe('migrations', () => {
  it('has one migration per version below the current one', () => {
    expect(CURRENT_VERSION).toBe(1);
    expect(MIGRATIONS).toHaveLength(CURRENT_VERSION);
  });

  it('migrates a stored v0 link to the expected v1 experiment, without problems', () => {
    const d = decodeExperimentLink(STORED_V0_LINK);
    expect(d.problems).toEqual([]);
    expect(d.version).toBe(0);
    expect(d.experiment).toEqual({
      v: 1,
      name: 'Digits from the first version',
      seed: 7,
      backend: 'auto',
      controls: true,
      dataset: { id: 'mnist', trainSize: 2000, testSize: 400, noise: 0.2 },
      teacher: {
        architecture: { kind: 'mlp', hidden: [64, 32], activation: 'tanh' },
        training: {
          optimizer: 'adam',
          learningRate: 0.003,
          momentum: 0.9,
          batchSize: 50,
          epochs: 5,
        },
      },
      variants: [],
    });
    expect(experimentSchema.safeParse(d.experiment).success).toBe(true);
  });

  it('moves v0 fields to their v1 places, renaming datasets and turning percent noise to 0..1', () => {
    const problems: string[] = [];
    const { value, from } = migrate(
      { seed: 3, data: { name: 'fashion-mnist', noise: 5 }, lr: 0.05, batch: 8 },
      problems,
    );
    expect(from).toBe(0);
    expect(problems).toEqual([]);
    expect(JSON.parse(JSON.stringify(value))).toEqual({
      v: 1,
      seed: 3,
      dataset: { id: 'fashion', noise: 0.05 },
      teacher: { training: { learningRate: 0.05, batchSize: 8 } },
    });
  });

  it('names what an old link held that v0 never had', () => {
    const problems: string[] = [];
    migrate(
      { v: 0, data: { name: 'moons', colour: 1 }, model: { type: 'cnn' }, extra: 1 },
      problems,
    );
    expect(problems).toEqual([
      'extra: unknown setting in an old-format link — ignored',
      'data.colour: unknown setting in an old-format link — ignored',
      'model.type: old-format links only knew "mlp" models — using the default architecture',
    ]);
  });

  it('repairs bad values carried over from v0 like any other, naming the v1 field', () => {
    const d = decodeExperimentLink(packLink('{"seed":3,"lr":-1}'));
    expect(d.version).toBe(0);
    expect(d.experiment.seed).toBe(3);
    expect(d.problems).toEqual([
      'teacher.training.learningRate: learning rate must be above 0 — using the default 0.01',
    ]);
  });

  it('reads the declared version; a newer one is read as current and said so', () => {
    expect(versionOf({})).toBe(0);
    expect(versionOf({ v: 1 })).toBe(1);
    expect(versionOf({ v: '1' })).toBeNull();
    expect(versionOf({ v: 1.5 })).toBeNull();
    const problems: string[] = [];
    const newer = migrate({ v: 4, seed: 1 }, problems);
    expect(newer).toEqual({ value: { v: 1, seed: 1 }, from: 4 });
    expect(problems[0]).toMatch(/^This link was made by a newer version of the app/);
    const invalid: string[] = [];
    expect(migrate({ v: 'two' }, invalid).value.v).toBe(1);
    expect(invalid).toEqual([
      "v: the link's format version is not valid — reading it as version 1",
    ]);
  });
});
