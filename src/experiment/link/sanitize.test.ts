import { describe, expect, it } from 'vitest';
import { trainingSchema } from '../schema';
import { capProblems, describeValue, friendlyIssue, MAX_PROBLEMS } from './messages';
import { SANITIZE_LIMITS, sanitizeJson } from './sanitize';

describe('sanitizeJson', () => {
  it('copies plain data and drops prototype keys', () => {
    const problems: string[] = [];
    const raw = JSON.parse('{"a":[1,"x",true,null],"__proto__":{"p":1},"b":{"prototype":2}}');
    const clean = sanitizeJson(raw, problems);
    expect(clean).toEqual({ a: [1, 'x', true, null], b: {} });
    expect(Object.getPrototypeOf(clean)).toBe(Object.prototype);
    expect(problems).toHaveLength(2);
  });

  it('cuts lists, objects and nesting to the limits', () => {
    const problems: string[] = [];
    const keys = Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, i]));
    const clean = sanitizeJson({ list: Array(100).fill(0), keys }, problems) as {
      list: number[];
      keys: object;
    };
    expect(clean.list).toHaveLength(SANITIZE_LIMITS.maxListLength);
    expect(Object.keys(clean.keys)).toHaveLength(SANITIZE_LIMITS.maxKeys);
    let deep: unknown = 1;
    for (let i = 0; i < 20; i++) deep = [deep];
    const cut: string[] = [];
    expect(JSON.stringify(sanitizeJson(deep, cut))).toBe('[[[[[[[[null]]]]]]]]');
    expect(cut).toEqual(['[0][0][0][0][0][0][0][0]: nested too deeply — ignored']);
  });
});

describe('messages', () => {
  it('words zod issues for students, keeping the schema’s own messages', () => {
    const issues = trainingSchema.safeParse(
      { learningRate: 0, momentum: 2, batchSize: 'x', epochs: 1.5, optimizer: 'adagrad' },
      { error: friendlyIssue },
    ).error?.issues;
    expect(issues?.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      'optimizer: must be one of adam, sgd',
      'learningRate: learning rate must be above 0',
      'momentum: must be at most 0.999',
      'batchSize: must be a number',
      'epochs: must be a whole number',
    ]);
  });

  it('describes values briefly and caps the problem list', () => {
    expect(describeValue(0.01)).toBe('0.01');
    expect(describeValue('adam')).toBe('"adam"');
    expect(describeValue([16, 16])).toBe('[16,16]');
    expect(describeValue('y'.repeat(100))).toHaveLength(42);
    const capped = capProblems(Array.from({ length: 30 }, (_, i) => `p${i}`));
    expect(capped).toHaveLength(MAX_PROBLEMS);
    expect(capped.at(-1)).toBe('…and 11 more problems');
  });
});
