import LZString from 'lz-string';
import type { Experiment } from '../schema';
import { experimentSchema } from '../schema';
import type { Variant } from '../stages';
import { variantSchema } from '../stages';
import {
  CHECK_PARAM,
  LINK_KEYS,
  MAX_JSON_CHARS,
  MAX_LINK_CHARS,
  PAYLOAD_PARAM,
  checkCode,
  cleanPayload,
  hashParams,
  isEmptyHash,
} from './format';
import { capProblems } from './messages';
import { migrate } from './migrate';
import type { ReportedResults } from './reported';
import { unpackReported } from './reported';
import { itemLabel, restoreValue } from './restore';
import { isRecord, sanitizeJson } from './sanitize';
import type { LinkView } from './view';
import { DEFAULT_VIEW, linkViewSchema } from './view';

export interface DecodedLink {
  experiment: Experiment;
  /** The sharer asked for "Run all" on load; always false when anything was wrong. */
  autorun: boolean;
  view: LinkView;
  /** The sharer's results, labelled `by: 'sharer'`; null when the link has none. */
  reported: ReportedResults | null;
  /** What was wrong and what was done about it, in plain words; empty for a good link. */
  problems: string[];
  /** True when the link carried an experiment (possibly repaired); false when empty or unreadable. */
  hasExperiment: boolean;
  /** Format version the link was written in (0 = the oldest), null when unreadable. */
  version: number | null;
}

/** The experiment, view and flags a link falls back to. */
function fallback(problems: string[]): DecodedLink {
  return {
    experiment: experimentSchema.parse({}),
    autorun: false,
    view: { ...DEFAULT_VIEW, panels: [] },
    reported: null,
    problems: capProblems(problems),
    hasExperiment: false,
    version: null,
  };
}

/** Restores variants one by one; invalid ones and repeated ids are left out and named. */
function restoreVariants(raw: unknown, problems: string[]): unknown {
  if (!Array.isArray(raw)) return raw;
  const kept: Variant[] = [];
  raw.forEach((item, i) => {
    const where = itemLabel(`variants[${i}]`, item);
    const r = restoreValue(variantSchema, item, `variants[${i}]`, problems);
    if (!r.ok) problems.push(`${r.at}: ${r.reason} — ${where} was left out`);
    else if (kept.some((v) => v.id === (r.value as Variant).id)) {
      problems.push(`${where}: variant ids must be unique — left out`);
    } else kept.push(r.value as Variant);
  });
  const issue = experimentSchema.shape.variants.safeParse(kept).error?.issues[0];
  if (issue?.code !== 'too_big') return kept;
  const max = Number(issue.maximum);
  problems.push(`variants: at most ${max} variants fit in an experiment — kept the first ${max}`);
  return kept.slice(0, max);
}

/** Restores a version-1 document field by field; every replaced field is named in `problems`. */
export function restoreExperiment(raw: Record<string, unknown>, problems: string[]): Experiment {
  const variants = Object.hasOwn(raw, 'variants') ? raw.variants : undefined;
  const input = { ...raw, variants: restoreVariants(variants, problems) };
  const restored = restoreValue(experimentSchema, input, '', problems);
  const checked = restored.ok ? experimentSchema.safeParse(restored.value) : null;
  if (checked?.success) return JSON.parse(JSON.stringify(checked.data)) as Experiment;
  problems.push('The experiment could not be repaired — using the default experiment.');
  return experimentSchema.parse({});
}

function restoreView(raw: unknown, problems: string[]): LinkView {
  const r = restoreValue(linkViewSchema, raw === undefined ? {} : raw, 'view', problems);
  if (r.ok) return r.value as LinkView;
  problems.push(`${r.at}: ${r.reason} — using the default view`);
  return { ...DEFAULT_VIEW, panels: [] };
}

function unpack(hash: string, problems: string[]): string | null {
  if (hash.length > MAX_LINK_CHARS) {
    const kb = (hash.length / 1024).toFixed(1);
    problems.push(
      `This link is too long (${kb} KB; links up to 8 KB are accepted), so it was not loaded.`,
    );
    return null;
  }
  const payload = hashParams(hash).get(PAYLOAD_PARAM);
  if (payload === undefined) {
    problems.push(`This link has no experiment in it (it should contain #${PAYLOAD_PARAM}=…).`);
    return null;
  }
  const clean = cleanPayload(payload);
  if (clean === null || clean === '') {
    problems.push(
      "The link's data has characters that do not belong there — it was changed while copying.",
    );
    return null;
  }
  let json: string | null;
  try {
    json = LZString.decompressFromEncodedURIComponent(clean);
  } catch {
    json = null;
  }
  if (!json) {
    problems.push("The link's data could not be unpacked — it may be cut short or damaged.");
    return null;
  }
  if (json.length > MAX_JSON_CHARS) {
    problems.push(
      "The link's data unpacks to far more than any experiment needs, so it was not loaded.",
    );
    return null;
  }
  return json;
}

function decodeUnchecked(hash: string): DecodedLink {
  const problems: string[] = [];
  if (isEmptyHash(hash)) return fallback(problems);
  const json = unpack(hash, problems);
  if (json === null) return fallback(problems);
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return fallback(["The link's data is not readable — it may be cut short or damaged."]);
  }
  if (!isRecord(parsed)) return fallback(["The link's data is not an experiment."]);
  const doc = sanitizeJson(parsed, problems) as Record<string, unknown>;
  const link: Record<string, unknown> = {};
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(doc)) {
    if ((LINK_KEYS as readonly string[]).includes(key)) link[key] = value;
    else rest[key] = value;
  }
  const { value, from } = migrate(rest, problems);
  const experiment = restoreExperiment(value, problems);
  const view = restoreView(link.view, problems);
  const reported = unpackReported(link.reported, problems);
  let autorun = false;
  if (typeof link.autorun === 'boolean') autorun = link.autorun;
  else if (link.autorun !== undefined)
    problems.push('autorun: must be true or false — not starting');

  const code = hashParams(hash).get(CHECK_PARAM);
  const linkProblems: string[] = [];
  if (code !== undefined && code !== checkCode(json)) {
    linkProblems.push(
      "The link's check code does not match its data: it was probably damaged while copying — " +
        'check the settings before running.',
    );
  } else if (code === undefined && from >= 1) {
    linkProblems.push(
      `The link has no check code (&${CHECK_PARAM}=…), so it may be cut short — check the settings before running.`,
    );
  }
  const all = capProblems([...linkProblems, ...problems]);
  return {
    experiment,
    autorun: autorun && all.length === 0,
    view,
    reported,
    problems: all,
    hasExperiment: true,
    version: from,
  };
}

/**
 * Reads a share link's hash ('#x=…&c=…', with or without '#', or a whole URL) into an experiment.
 * Never throws: whatever is unreadable falls back to the defaults, whatever is invalid is replaced
 * field by field by its default, and each such repair is described in `problems`.
 */
export function decodeExperimentLink(hash: string): DecodedLink {
  try {
    if (typeof hash !== 'string') return fallback(['This link is not text.']);
    return decodeUnchecked(hash);
  } catch {
    return fallback(['This link could not be read — using the default experiment.']);
  }
}
