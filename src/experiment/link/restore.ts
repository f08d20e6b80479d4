import { z } from 'zod';
import { describeValue, friendlyIssue, joinPath, shorten } from './messages';
import { isRecord } from './sanitize';
import { innerSchema as unwrap } from '../schema-walk';

/** Outcome of restoring one value: the valid value, or where and why it failed. */
export type Restored = { ok: true; value: unknown } | { ok: false; at: string; reason: string };

function issuePath(path: readonly PropertyKey[]): string {
  return path.map((k) => (typeof k === 'number' ? `item ${k + 1}` : String(k))).join(' ');
}

/** Validates `value` as a whole with the friendly error map. */
export function check(schema: z.ZodType, value: unknown, at: string): Restored {
  const r = schema.safeParse(value, { error: friendlyIssue });
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issuePath(issue.path)} ` : '';
  return { ok: false, at, reason: `${where}${issue?.message ?? 'is not valid'}` };
}

/** What a reset field becomes, in words: "using the default 0.01". */
function fallbackText(at: string, path: string, value: unknown): string {
  if (value === undefined) return 'ignored';
  if (at === path) return `using the default ${describeValue(value)}`;
  return `using the default for ${path}`;
}

/**
 * Restores a value field by field, like excalidraw's restore: each field takes the supplied value
 * when it validates, else its default, and every replacement is recorded in `problems`. Objects
 * and tagged unions are restored key by key; lists of objects item by item (invalid items are left
 * out); anything else is checked as a whole. Fails only where a required field has no default.
 */
export function restoreValue(
  schema: z.ZodType,
  raw: unknown,
  path: string,
  problems: string[],
): Restored {
  if (raw === undefined) return check(schema, undefined, path);
  // Fast path: a valid value with no unknown keys anywhere needs no field-by-field walk.
  const whole = schema.safeParse(raw);
  if (whole.success && keysKept(raw, whole.data)) return { ok: true, value: whole.data };
  const inner = unwrap(schema);
  if (inner instanceof z.ZodObject && isRecord(raw))
    return restoreObject(inner, raw, path, problems);
  if (inner instanceof z.ZodDiscriminatedUnion && isRecord(raw)) {
    return restoreUnion(inner, raw, path, problems);
  }
  if (inner instanceof z.ZodArray && Array.isArray(raw)) {
    const element = unwrap(inner.element as z.ZodType);
    if (element instanceof z.ZodObject || element instanceof z.ZodDiscriminatedUnion) {
      return restoreList(inner, raw, path, problems);
    }
  }
  return check(schema, raw, path);
}

/** True when every key of `raw` (at any depth) survived parsing, i.e. none was unknown. */
function keysKept(raw: unknown, parsed: unknown): boolean {
  if (Array.isArray(raw)) {
    return Array.isArray(parsed) && raw.every((item, i) => keysKept(item, parsed[i]));
  }
  if (!isRecord(raw)) return true;
  if (!isRecord(parsed)) return false;
  return Object.keys(raw).every(
    (k) => raw[k] === undefined || (Object.hasOwn(parsed, k) && keysKept(raw[k], parsed[k])),
  );
}

/** Restores each known key of an object, reports unknown keys, then re-checks refinements. */
export function restoreObject(
  schema: z.ZodObject,
  raw: Record<string, unknown>,
  path: string,
  problems: string[],
): Restored {
  const shape = schema.shape as Record<string, z.ZodType>;
  for (const key of Object.keys(raw)) {
    if (!Object.hasOwn(shape, key))
      problems.push(`${joinPath(path, key)}: unknown setting — ignored`);
  }
  const out: Record<string, unknown> = {};
  const reset = (key: string, at: string, reason: string): Restored | null => {
    const where = joinPath(path, key);
    const fallback = check(shape[key]!, undefined, where);
    if (!fallback.ok) return { ok: false, at, reason };
    problems.push(`${at}: ${reason} — ${fallbackText(at, where, fallback.value)}`);
    if (fallback.value === undefined) delete out[key];
    else out[key] = fallback.value;
    return null;
  };
  for (const key of Object.keys(shape)) {
    const value = Object.hasOwn(raw, key) ? raw[key] : undefined;
    const r = restoreValue(shape[key]!, value, joinPath(path, key), problems);
    if (r.ok) {
      if (r.value !== undefined) out[key] = r.value;
      continue;
    }
    const failed = reset(key, r.at, r.reason);
    if (failed) return failed;
  }
  // Refinements across fields (N ≤ M, a student needs its architecture): reset the named field.
  const tried = new Set<string>();
  for (;;) {
    const r = schema.safeParse(out, { error: friendlyIssue });
    if (r.success) return { ok: true, value: r.data };
    const issue = r.error.issues[0];
    const key = issue?.path[0];
    const reason = issue?.message ?? 'is not valid';
    if (typeof key !== 'string' || !Object.hasOwn(shape, key) || tried.has(key)) {
      return { ok: false, at: typeof key === 'string' ? joinPath(path, key) : path, reason };
    }
    tried.add(key);
    // Reset the field only if that cures this refinement; else the whole object is at fault.
    const fallback = check(shape[key]!, undefined, path);
    const cured =
      fallback.ok && schema.safeParse({ ...out, [key]: fallback.value }).error?.issues[0]?.path[0];
    if (!fallback.ok || cured === key) return { ok: false, at: joinPath(path, key), reason };
    const failed = reset(key, joinPath(path, key), reason);
    if (failed) return failed;
  }
}

/** Picks the union member named by the discriminator ('kind', 'technique'), then restores it. */
function restoreUnion(
  schema: z.ZodDiscriminatedUnion,
  raw: Record<string, unknown>,
  path: string,
  problems: string[],
): Restored {
  const key = schema.def.discriminator;
  const tag = Object.hasOwn(raw, key) ? raw[key] : undefined;
  const options = schema.options as unknown as z.ZodObject[];
  const option = options.find((o) => (o.shape[key] as z.ZodType).safeParse(tag).success);
  if (option) return restoreObject(option, raw, path, problems);
  const names = options.flatMap((o) => [...(o.shape[key] as z.ZodLiteral).values]).join(', ');
  const reason = tag === undefined ? 'is missing' : `${describeValue(tag)} is not one of ${names}`;
  return { ok: false, at: joinPath(path, key), reason };
}

/** Restores list items one by one; invalid items are left out, a too-long list is cut. */
function restoreList(
  schema: z.ZodArray,
  raw: unknown[],
  path: string,
  problems: string[],
): Restored {
  const kept: unknown[] = [];
  raw.forEach((item, i) => {
    const where = joinPath(path, i);
    const r = restoreValue(schema.element as z.ZodType, item, where, problems);
    if (r.ok) kept.push(r.value);
    else problems.push(`${r.at}: ${r.reason} — ${itemLabel(where, item)} was left out`);
  });
  const r = schema.safeParse(kept, { error: friendlyIssue });
  if (r.success) return { ok: true, value: r.data };
  const issue = r.error.issues[0];
  if (issue?.code === 'too_big' && issue.path.length === 0) {
    const max = Number(issue.maximum);
    problems.push(`${path}: ${issue.message} — kept the first ${max}`);
    return check(schema, kept.slice(0, max), path);
  }
  return check(schema, kept, path);
}

/** 'variants[2] ("p50")': the item's index and, when it has one, its id. */
export function itemLabel(where: string, item: unknown): string {
  const id = isRecord(item) && typeof item.id === 'string' ? item.id : null;
  return id === null ? where : `${where} (${JSON.stringify(shorten(id, 32))})`;
}
