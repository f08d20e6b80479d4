import type { z } from 'zod';

/** At most this many problems are listed; the rest are summed up in one line. */
export const MAX_PROBLEMS = 20;

const TYPE_WORDS: Record<string, string> = {
  number: 'must be a number',
  int: 'must be a whole number',
  string: 'must be text',
  boolean: 'must be true or false',
  array: 'must be a list',
  object: 'must be a group of settings',
};

function items(n: number): string {
  return n === 1 ? '1 item' : `${n} items`;
}

/**
 * Zod error map in words a student understands ("must be at most 200"); messages written in the
 * schema itself ("learning rate must be above 0") take precedence over it.
 */
export const friendlyIssue: z.core.$ZodErrorMap = (issue) => {
  if (issue.input === undefined && issue.code === 'invalid_type') return 'is missing';
  switch (issue.code) {
    case 'invalid_type':
      return TYPE_WORDS[issue.expected] ?? `must be ${issue.expected}`;
    case 'too_big': {
      const max = Number(issue.maximum);
      if (issue.origin === 'array' || issue.origin === 'set')
        return `can hold at most ${items(max)}`;
      if (issue.origin === 'string') return `must be at most ${max} characters long`;
      return issue.inclusive === false ? `must be below ${max}` : `must be at most ${max}`;
    }
    case 'too_small': {
      const min = Number(issue.minimum);
      if (issue.origin === 'array' || issue.origin === 'set') return `needs at least ${items(min)}`;
      if (issue.origin === 'string')
        return min <= 1 ? 'must not be empty' : `needs ${min} characters`;
      return issue.inclusive === false ? `must be above ${min}` : `must be at least ${min}`;
    }
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => String(v)).join(', ')}`;
    case 'invalid_format':
      return 'is not in the expected format';
    default:
      return 'is not valid';
  }
};

/** A value as a student would read it in a message: numbers bare, text quoted, lists as JSON. */
export function describeValue(value: unknown): string {
  if (value === null) return 'none';
  if (typeof value === 'string') return JSON.stringify(shorten(value, 40));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const json = JSON.stringify(value) ?? 'nothing';
  return shorten(json, 60);
}

/** Text cut to `max` characters with an ellipsis, so hostile input cannot flood a message. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Path of a field below `parent`: 'teacher' + 'training' → 'teacher.training'. */
export function joinPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  const safe = shorten(key, 40);
  return parent === '' ? safe : `${parent}.${safe}`;
}

/** The problem list capped at MAX_PROBLEMS entries, with a line counting the ones left out. */
export function capProblems(problems: readonly string[]): string[] {
  if (problems.length <= MAX_PROBLEMS) return [...problems];
  const extra = problems.length - (MAX_PROBLEMS - 1);
  return [...problems.slice(0, MAX_PROBLEMS - 1), `…and ${extra} more problems`];
}
