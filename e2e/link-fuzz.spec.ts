import { expect, test } from '@playwright/test';
import fc from 'fast-check';
import { decodeExperimentLink } from '../src/experiment/link/decode';
import { encodeExperimentLink, packLink } from '../src/experiment/link/encode';
import { MAX_LINK_CHARS } from '../src/experiment/link/format';
import { findPreset } from '../src/experiment/presets';
import { openApp, watchCsp, watchErrors } from './helpers';

/** Links the fuzz run opens, from one seed: the same 300 every run. */
const SEED = 18_005;
const COUNT = 300;

/** Markup and URLs that would run script if any text reached the page unescaped. */
const PAYLOADS = [
  '<img src=x onerror="window.__pwned=1">',
  '<script>window.__pwned=1</script>',
  'javascript:window.__pwned=1',
  '"><svg onload="window.__pwned=1">',
  '{{constructor.constructor("window.__pwned=1")()}}',
];

const base = findPreset('tiny-pipeline')!.experiment;
const valid = encodeExperimentLink(base);

/** A valid link whose names and texts carry the payloads (it must load, as text). */
const hostileValid = fc
  .record({ payload: fc.constantFrom(...PAYLOADS), where: fc.nat({ max: 2 }) })
  .map(({ payload, where }) =>
    encodeExperimentLink({
      ...base,
      name: where === 0 ? payload : base.name,
      variants: base.variants.map((v, i) => (i === where ? { ...v, name: payload } : v)),
    }),
  );

/** Corrupt links: bit flips, cuts, random payloads, hostile JSON, oversize, odd params. */
const corrupt = fc.oneof(
  fc
    .record({ at: fc.nat({ max: valid.length - 1 }), ch: fc.constantFrom(...'AZaz09+$-%~') })
    .map(({ at, ch }) => valid.slice(0, at) + ch + valid.slice(at + 1)),
  fc.nat({ max: valid.length - 4 }).map((n) => valid.slice(0, 4 + n)),
  fc.string({ minLength: 1, maxLength: 200 }).map((s) => `#x=${encodeURIComponent(s)}`),
  fc.jsonValue({ maxDepth: 4 }).map((json) => packLink(JSON.stringify(json))),
  fc
    .constantFrom(
      '{"__proto__":{"polluted":1},"v":1}',
      '{"constructor":{"prototype":{"polluted":1}},"v":1}',
      '{"v":1,"variants":[{"id":"a","name":"x","stages":[{"technique":"__proto__"}]}]}',
      '{"v":1,"seed":1e308,"dataset":{"id":"mnist","trainSize":-5}}',
      '{"v":1,"teacher":{"architecture":{"kind":"cnn","convs":[{"filters":1e9,"kernel":3}]}}}',
      `{"v":1,"name":${JSON.stringify(PAYLOADS[0])},"variants":"${'x'.repeat(50)}"}`,
    )
    .map(packLink),
  fc.constant(`#x=${'A'.repeat(MAX_LINK_CHARS + 10)}`),
  fc.string({ maxLength: 40 }).map((s) => `${valid}&c=${encodeURIComponent(s)}`),
);

test('300 seeded corrupt and hostile links: a notice for each broken one, no script, no error', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // 300 distinct links (opening the address already shown is no navigation at all).
  const pool = fc.sample(fc.oneof(corrupt, corrupt, hostileValid), {
    seed: SEED,
    numRuns: 3 * COUNT,
  });
  // As the page will read them: one leading '#' (a flipped first character is part of the text).
  const asHash = (link: string) => (link.startsWith('#') ? link : `#${link}`);
  const links = [...new Set(pool.map(asHash))].slice(0, COUNT);
  expect(links).toHaveLength(COUNT);
  const errors = watchErrors(page);
  const violations = await watchCsp(page);
  await openApp(page);
  let broken = 0;
  for (const [i, link] of links.entries()) {
    // What the app's own decoder makes of it, in Node: problems ⇒ the page must say so.
    const expected = decodeExperimentLink(link);
    const before = await page.evaluate(
      () =>
        (
          window as unknown as {
            playground: { store: { getState: () => { notices: unknown[] } } };
          }
        ).playground.store.getState().notices.length,
    );
    // A fragment navigation: the page reads the new address as Back / Forward would.
    await page.evaluate((hash) => {
      window.location.hash = hash;
    }, link);
    if (expected.problems.length > 0) {
      broken++;
      await expect
        .poll(
          () =>
            page.evaluate(
              () =>
                (
                  window as unknown as {
                    playground: {
                      store: { getState: () => { notices: { kind: string; text: string }[] } };
                    };
                  }
                ).playground.store.getState().notices,
            ),
          { message: `link ${i}: ${link.slice(0, 80)}`, timeout: 5_000 },
        )
        .toEqual(
          expect.arrayContaining([
            expect.objectContaining({
              kind: 'error',
              text: expect.stringContaining('could not be read'),
            }),
          ]),
        );
      const after = await page.evaluate(
        () =>
          (
            window as unknown as {
              playground: { store: { getState: () => { notices: unknown[] } } };
            }
          ).playground.store.getState().notices.length,
      );
      expect(after, `link ${i} adds its own notice`).toBeGreaterThan(before);
    }
    // Keep the notice list short: dismiss everything between links.
    await page.evaluate(() =>
      (
        window as unknown as { playground: { store: { setState: (s: object) => void } } }
      ).playground.store.setState({ notices: [] }),
    );
  }
  expect(broken).toBeGreaterThan(150);
  // Nothing ran, nothing polluted, nothing broke the policy; the page still works.
  expect(
    await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned),
  ).toBeUndefined();
  expect(await page.evaluate(() => (({}) as Record<string, unknown>).polluted)).toBeUndefined();
  expect(await violations()).toEqual([]);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await expect(page.getByTestId('variant-card')).toHaveCount(base.variants.length);
  await expect(page.getByTestId('run-all')).toBeEnabled();
  expect(errors).toEqual([]);
});
