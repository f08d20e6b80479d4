import { joinPath } from './messages';
import { isRecord } from './sanitize';

/** Format version written by this app (the experiment schema's `v`). */
export const CURRENT_VERSION = 1;

type Json = Record<string, unknown>;
type Migration = (raw: Json, problems: string[]) => Json;

/**
 * Version 0, the first public format (links without a `v`, or `v: 0`), one flat teacher-only
 * document with terse names:
 *
 *   {
 *     name?: string, seed?: number,
 *     data?: { name: 'spiral' | 'moons' | 'circles' | 'xor' | 'gaussians' | 'digits' | 'fashion-mnist',
 *              train?: number, test?: number, noise?: number },   // noise in percent, 0–100
 *     model?: { type: 'mlp', layers?: number[], act?: 'relu' | 'tanh' | 'sigmoid' | 'linear' },
 *     lr?: number, batch?: number, epochs?: number,                // always Adam
 *   }
 *
 * Version 1 renamed the datasets 'digits' → 'mnist' and 'fashion-mnist' → 'fashion', measured
 * noise as a fraction 0..1, nested the teacher as { architecture, training } and added variants,
 * CNNs, the optimizer choice and the backend.
 */
const V0_DATASET_NAMES: Record<string, string> = { digits: 'mnist', 'fashion-mnist': 'fashion' };

function pick(raw: Json, key: string): unknown {
  return Object.hasOwn(raw, key) ? raw[key] : undefined;
}

function reportUnknown(
  raw: Json,
  known: readonly string[],
  path: string,
  problems: string[],
): void {
  for (const key of Object.keys(raw)) {
    if (!known.includes(key)) {
      problems.push(`${joinPath(path, key)}: unknown setting in an old-format link — ignored`);
    }
  }
}

/** v0 → v1: values are moved, not checked; restoring checks them afterwards. */
function migrateV0(raw: Json, problems: string[]): Json {
  reportUnknown(raw, ['v', 'name', 'seed', 'data', 'model', 'lr', 'batch', 'epochs'], '', problems);
  const out: Json = { v: 1, name: pick(raw, 'name'), seed: pick(raw, 'seed') };
  const data = pick(raw, 'data');
  if (isRecord(data)) {
    reportUnknown(data, ['name', 'train', 'test', 'noise'], 'data', problems);
    const name = pick(data, 'name');
    const noise = pick(data, 'noise');
    out.dataset = {
      id: typeof name === 'string' ? (V0_DATASET_NAMES[name] ?? name) : name,
      trainSize: pick(data, 'train'),
      testSize: pick(data, 'test'),
      noise: typeof noise === 'number' ? noise / 100 : noise,
    };
  } else if (data !== undefined) out.dataset = data;
  const model = pick(raw, 'model');
  let architecture: unknown = model;
  if (isRecord(model)) {
    reportUnknown(model, ['type', 'layers', 'act'], 'model', problems);
    const type = pick(model, 'type');
    if (type === 'mlp' || type === undefined) {
      architecture = { kind: 'mlp', hidden: pick(model, 'layers'), activation: pick(model, 'act') };
    } else {
      problems.push(
        'model.type: old-format links only knew "mlp" models — using the default architecture',
      );
      architecture = undefined;
    }
  }
  const training = {
    learningRate: pick(raw, 'lr'),
    batchSize: pick(raw, 'batch'),
    epochs: pick(raw, 'epochs'),
  };
  out.teacher = { architecture, training };
  return out;
}

/** MIGRATIONS[n] turns a version-n document into a version-(n+1) one. */
export const MIGRATIONS: readonly Migration[] = [migrateV0];

/** The format version a document declares: a missing `v` is 0; null when `v` is not a version. */
export function versionOf(raw: Json): number | null {
  const v = pick(raw, 'v');
  if (v === undefined) return 0;
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/**
 * Brings a parsed link document to CURRENT_VERSION by applying MIGRATIONS[from], …,
 * MIGRATIONS[CURRENT_VERSION − 1] in order. A document from a newer app is read as the current
 * version (the fields this version knows are kept) and said so in `problems`.
 */
export function migrate(raw: Json, problems: string[] = []): { value: Json; from: number } {
  const declared = versionOf(raw);
  if (declared === null) {
    problems.push(
      `v: the link's format version is not valid — reading it as version ${CURRENT_VERSION}`,
    );
    return { value: { ...raw, v: CURRENT_VERSION }, from: CURRENT_VERSION };
  }
  if (declared > CURRENT_VERSION) {
    problems.push(
      `This link was made by a newer version of the app (format ${declared}; this one reads up to ` +
        `${CURRENT_VERSION}) — loading the settings it understands.`,
    );
    return { value: { ...raw, v: CURRENT_VERSION }, from: declared };
  }
  let value = raw;
  for (let version = declared; version < CURRENT_VERSION; version++) {
    value = MIGRATIONS[version]!(value, problems);
  }
  return { value, from: declared };
}
