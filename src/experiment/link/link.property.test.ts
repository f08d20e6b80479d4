import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { experimentSchema } from '../schema';
import { experimentArb } from './arbitraries';
import { sameJson } from './compact';
import type { DecodedLink } from './decode';
import { decodeExperimentLink } from './decode';
import { encodeExperimentLink, linkDocument, packLink } from './encode';
import { MAX_LINK_CHARS, isEmptyHash } from './format';

const protoNames = Object.getOwnPropertyNames(Object.prototype).sort();

afterAll(() => {
  // Nothing a link said may reach the prototype every object shares.
  expect(Object.getOwnPropertyNames(Object.prototype).sort()).toEqual(protoNames);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

const viewArb = fc.record(
  {
    tab: fc.constantFrom('experiment' as const, 'live' as const, 'results' as const),
    liveSource: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
    lesson: fc.option(fc.stringMatching(/^[a-z0-9-]{1,32}$/), { nil: null }),
    panels: fc.array(fc.stringMatching(/^[a-z0-9-]{1,32}$/), { maxLength: 8 }),
  },
  { requiredKeys: [] },
);
const rowArb = fc.record({
  variant: fc.stringMatching(/^[a-z0-9-]{1,32}$/),
  accuracy: fc.integer({ min: 0, max: 10_000 }).map((n) => n / 10_000),
  sizeBytes: fc.integer({ min: 0, max: 2 ** 40 }),
  latencyMs: fc.option(
    fc.integer({ min: 0, max: 1e9 }).map((n) => n / 1000),
    { nil: null },
  ),
});
const sharedArb = fc.record({
  experiment: experimentArb(),
  autorun: fc.boolean(),
  view: viewArb,
  reported: fc.option(
    fc.record({ by: fc.constant('sharer' as const), rows: fc.array(rowArb, { maxLength: 16 }) }),
    {
      nil: undefined,
    },
  ),
});

function content(d: DecodedLink): unknown {
  return { experiment: d.experiment, autorun: d.autorun, view: d.view, reported: d.reported };
}

describe('share links: property tests', () => {
  it('random valid experiments survive encode → decode unchanged, with no problems', () => {
    fc.assert(
      fc.property(sharedArb, ({ experiment, autorun, view, reported }) => {
        expect(experimentSchema.safeParse(experiment).success).toBe(true);
        const hash = encodeExperimentLink(experiment, { autorun, view, reported });
        expect(hash.length).toBeLessThanOrEqual(MAX_LINK_CHARS);
        const d = decodeExperimentLink(hash);
        expect(d.problems).toEqual([]);
        expect(d.experiment).toEqual(experiment);
        expect(d.autorun).toBe(autorun);
        expect(d.view).toEqual({
          tab: 'experiment',
          liveSource: 'teacher',
          lesson: null,
          panels: [],
          ...view,
        });
        expect(d.reported).toEqual(reported ?? null);
        expect(d.hasExperiment).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it('1,000 corrupt links never throw and always say what was wrong', () => {
    const alphabet = fc.constantFrom(
      ...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$',
    );
    const link = sharedArb.map((s) => ({ s, hash: encodeExperimentLink(s.experiment, s) }));
    type Case = { hash: string; original?: DecodedLink; expect?: RegExp };
    const wrongValue = fc.constantFrom<unknown>('text', -1, 1e300, true, null, [], { a: 1 }, [
      1,
      'x',
    ]);

    const cases: fc.Arbitrary<Case>[] = [
      fc.string({ unit: 'binary', maxLength: 300 }).map((hash) => ({ hash })),
      fc.string({ unit: alphabet, maxLength: 400 }).map((p) => ({ hash: `#x=${p}` })),
      // truncations of valid links
      fc.tuple(link, fc.nat()).map(([l, n]) => ({
        hash: l.hash.slice(0, n % l.hash.length),
        original: decodeExperimentLink(l.hash),
      })),
      // bit flips anywhere in the link, most of which land in the compressed text
      fc.tuple(link, fc.nat(), fc.integer({ min: 0, max: 6 })).map(([l, n, bit]) => {
        const i = n % l.hash.length;
        const flipped = String.fromCharCode(l.hash.charCodeAt(i) ^ (1 << bit));
        return {
          hash: l.hash.slice(0, i) + flipped + l.hash.slice(i + 1),
          original: decodeExperimentLink(l.hash),
        };
      }),
      // a field of the right shape replaced by a value of the wrong type, check code intact
      fc.tuple(link, fc.nat(), wrongValue).map(([l, n, value]) => {
        const doc = structuredClone(linkDocument(l.s.experiment, l.s));
        const paths = fieldPaths(doc).filter((p) => p.length > 0 && p[0] !== 'v');
        const path = paths[n % paths.length]!;
        const current = getAt(doc, path);
        // null is a right value for the nullable fields (view.lesson, a row's latencyMs)
        const nullable = path.at(-1) === 'lesson' || (path[0] === 'reported' && path.at(-1) === 3);
        const same = typeOf(value) === typeOf(current) || (value === null && nullable);
        setAt(doc, path, same ? (typeof current === 'string' ? 7 : 'x') : value);
        return { hash: packLink(JSON.stringify(doc)) };
      }),
      // links from the future
      fc.tuple(link, fc.integer({ min: 2, max: 1e9 })).map(([l, v]) => ({
        hash: packLink(JSON.stringify({ ...linkDocument(l.s.experiment, l.s), v })),
        expect: /made by a newer version of the app/,
      })),
      // prototype-pollution payloads in any object of the document
      fc
        .tuple(link, fc.nat(), fc.constantFrom('__proto__', 'constructor', 'prototype'))
        .map(([l, n, key]) => {
          const doc = structuredClone(linkDocument(l.s.experiment, l.s));
          const objects = fieldPaths(doc).filter((p) => isObject(getAt(doc, p)));
          const target = getAt(doc, objects[n % objects.length]!) as object;
          const payload = { polluted: true, prototype: { polluted: true } };
          Object.defineProperty(target, key, {
            value: payload,
            enumerable: true,
            writable: true,
            configurable: true,
          });
          return { hash: packLink(JSON.stringify(doc)), expect: /is not allowed/ };
        }),
      // 100 KB links
      fc
        .tuple(fc.string({ unit: alphabet, minLength: 1, maxLength: 50 }), fc.nat(100))
        .map(([chunk, extra]) => ({
          hash: `#x=${chunk.repeat(Math.ceil(100_000 / chunk.length))}${'A'.repeat(extra)}`,
          expect: /too long/,
        })),
      // deep nesting and huge lists behind a valid check code
      fc.integer({ min: 9, max: 3000 }).map((depth) => ({
        hash: packLink(`{"v":1,"name":${'['.repeat(depth)}${']'.repeat(depth)}}`),
      })),
      fc.integer({ min: 65, max: 5000 }).map((n) => ({
        hash: packLink(JSON.stringify({ v: 1, variants: Array.from({ length: n }, () => ({})) })),
      })),
    ];

    fc.assert(
      fc.property(fc.oneof(...cases), (c) => {
        let d: DecodedLink | undefined;
        expect(() => {
          d = decodeExperimentLink(c.hash);
        }).not.toThrow();
        const decoded = d!;
        expect(experimentSchema.safeParse(decoded.experiment).success).toBe(true);
        if (c.expect) expect(decoded.problems.join('\n')).toMatch(c.expect);
        const unchanged =
          c.original !== undefined && sameJson(content(decoded), content(c.original));
        if (!isEmptyHash(c.hash) && !unchanged) expect(decoded.problems.length).toBeGreaterThan(0);
        if (decoded.problems.length > 0) expect(decoded.autorun).toBe(false);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      }),
      { numRuns: 1000 },
    );
  });
});

type Path = (string | number)[];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeOf(v: unknown): string {
  return Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v;
}

/** Every path in a JSON document, the root ([]) included. */
function fieldPaths(value: unknown, path: Path = []): Path[] {
  const children: Path[] = [];
  if (Array.isArray(value)) value.forEach((v, i) => children.push(...fieldPaths(v, [...path, i])));
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) children.push(...fieldPaths(v, [...path, k]));
  }
  return [path, ...children];
}

function getAt(doc: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], doc);
}

function setAt(doc: unknown, path: Path, value: unknown): void {
  const parent = getAt(doc, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path[path.length - 1]!] = value;
}
