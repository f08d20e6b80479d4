import { joinPath, shorten } from './messages';

/**
 * Bounds on what a link may contain. A real experiment nests 6 levels deep, holds lists of at most
 * 12 variants × 8 stages and strings of at most 120 characters; anything far beyond is hostile.
 */
export const SANITIZE_LIMITS = {
  maxDepth: 8,
  maxListLength: 64,
  maxKeys: 64,
  maxStringLength: 500,
} as const;

/** Keys that could reach an object's prototype if some later code merged the data naively. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** True for a JSON object (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A clean copy of parsed JSON: drops prototype keys (__proto__, constructor, prototype), cuts
 * lists and objects to the limits above, drops over-long strings and anything nested deeper than
 * maxDepth. Each cut is recorded in `problems`. The copy holds only plain data, never functions.
 */
export function sanitizeJson(value: unknown, problems: string[], path = '', depth = 0): unknown {
  if (typeof value === 'string') {
    if (value.length <= SANITIZE_LIMITS.maxStringLength) return value;
    problems.push(`${label(path)}: text of ${value.length} characters is far too long — ignored`);
    return undefined;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  if (typeof value !== 'object') return undefined;
  if (depth >= SANITIZE_LIMITS.maxDepth) {
    problems.push(`${label(path)}: nested too deeply — ignored`);
    return undefined;
  }
  if (Array.isArray(value)) {
    const max = SANITIZE_LIMITS.maxListLength;
    if (value.length > max) {
      problems.push(
        `${label(path)}: a list of ${value.length} items is too long — read the first ${max}`,
      );
    }
    return value
      .slice(0, max)
      .map((item, i) => sanitizeJson(item, problems, joinPath(path, i), depth + 1));
  }
  const out: Record<string, unknown> = {};
  const keys = Object.keys(value);
  if (keys.length > SANITIZE_LIMITS.maxKeys) {
    problems.push(
      `${label(path)}: ${keys.length} settings is too many — read the first ${SANITIZE_LIMITS.maxKeys}`,
    );
  }
  for (const key of keys.slice(0, SANITIZE_LIMITS.maxKeys)) {
    const where = joinPath(path, key);
    if (FORBIDDEN_KEYS.has(key)) {
      problems.push(`${where}: a setting named "${key}" is not allowed — ignored`);
      continue;
    }
    const clean = sanitizeJson((value as Record<string, unknown>)[key], problems, where, depth + 1);
    if (clean !== undefined) out[key] = clean;
  }
  return out;
}

function label(path: string): string {
  return path === '' ? 'the link' : shorten(path, 80);
}
