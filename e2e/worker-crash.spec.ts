// The engine worker dying on its own (simulated with `playground.crashEngine()`, which ends it
// without telling the page): the page notices, says so, starts a fresh worker and keeps what it
// showed; a run cut short offers "Run again".
import { expect, test } from '@playwright/test';
import type { Page } from '@playwright/test';
import { openApp, setField, useBackend, watchErrors } from './helpers';

interface PlaygroundState {
  run: { status: string; steps: unknown[] };
  experiment: unknown;
  teacher: { key: string; elapsedMs: number } | null;
  curves: Record<string, unknown[]>;
}

interface Playground {
  store: {
    getState(): PlaygroundState;
    subscribe(listener: (s: PlaygroundState) => void): () => void;
  };
  engine(): { memory(): Promise<{ numTensors: number }> };
  crashEngine(): void;
}

/** The results table as [variant, accuracy] pairs, in table order. */
async function resultRows(page: Page): Promise<[string, string][]> {
  return page
    .getByTestId('result-row')
    .evaluateAll((rows) =>
      rows.map((r) => [
        r.getAttribute('data-variant') ?? '',
        r.getAttribute('data-accuracy') ?? '',
      ]),
    );
}

/** The experiment in the store, as JSON. */
async function experimentJson(page: Page): Promise<string> {
  return page.evaluate(() =>
    JSON.stringify(
      (window as unknown as { playground: Playground }).playground.store.getState().experiment,
    ),
  );
}

/** Opens the tiny preset on wasm and runs it to the end once. */
async function firstRun(page: Page): Promise<[string, string][]> {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 200_000,
  });
  const rows = await resultRows(page);
  expect(rows.length).toBeGreaterThan(5);
  return rows;
}

const stoppedNotice = (page: Page) =>
  page.getByTestId('notice').filter({ hasText: 'The compute engine stopped' });

test('a worker that dies mid-run is noticed and replaced; results stay and the run reruns', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  const status = page.getByTestId('run-status');
  const before = await firstRun(page);

  // A teacher trained longer, so the next run trains one for a few seconds: the worker dies at
  // its first steps, before the run has a result of its own.
  await setField(page, 'epochs', '200');
  const experiment = await experimentJson(page);
  const crashed = page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        const { store, crashEngine } = (window as unknown as { playground: Playground }).playground;
        const stop = store.subscribe((s) => {
          if (s.run.steps.length === 0) return;
          stop();
          crashEngine();
          resolve(performance.now());
        });
      }),
  );
  await page.getByTestId('run-all').click();
  const crashedAt = await crashed;

  const notice = stoppedNotice(page);
  await expect(notice).toBeVisible({ timeout: 10_000 });
  const noticedAfterMs = (await page.evaluate(() => performance.now())) - crashedAt;
  console.log(`crash noticed within ${Math.round(noticedAfterMs)} ms`);
  await expect(notice).toContainText('during the run');
  await expect(notice).toContainText('Run again');
  await expect(status).toHaveAttribute('data-status', 'error');
  await expect(page.getByTestId('run-error')).toContainText(
    'The run stopped: The compute engine stopped',
  );
  // Everything shown before the run is still there, and so is the edited experiment.
  expect(await resultRows(page)).toEqual(before);
  await expect(page.getByTestId('epochs')).toHaveValue('200');
  expect(await experimentJson(page)).toBe(experiment);
  // A fresh worker is up on the same backend.
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  const rerun = notice.getByTestId('notice-rerun');
  await expect(rerun).toBeEnabled();
  await page.evaluate(() => window.scrollTo(0, 0));
  await page.screenshot({ path: 'test-results/worker-crash-notice.png' });

  const rerunStart = Date.now();
  await rerun.click();
  await expect(notice).toBeHidden();
  await expect(status).toHaveAttribute('data-status', 'done', { timeout: 200_000 });
  console.log(`rerun done in ${Date.now() - rerunStart} ms`);
  const after = await resultRows(page);
  expect(after.map(([variant]) => variant)).toEqual(before.map(([variant]) => variant));
  // The fresh engine answers, and nothing failed on the page.
  const tensors = await page.evaluate(
    async () =>
      (await (window as unknown as { playground: Playground }).playground.engine().memory())
        .numTensors,
  );
  expect(tensors).toBeGreaterThan(0);
  expect(errors).toEqual([]);
});

test('a worker that dies while idle is replaced and gets the saved teacher back', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  const before = await firstRun(page);
  const teacher = await page.evaluate(
    () => (window as unknown as { playground: Playground }).playground.store.getState().teacher,
  );
  expect(teacher).not.toBeNull();
  // The finished run's teacher is saved in IndexedDB (after the run): wait until it is there.
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            new Promise<string | null>((resolve) => {
              const open = indexedDB.open('compression-playground');
              open.onsuccess = () => {
                const get = open.result.transaction('state').objectStore('state').get('teacher');
                get.onsuccess = () => {
                  open.result.close();
                  resolve(
                    (get.result as { outcome?: { key: string } } | undefined)?.outcome?.key ?? null,
                  );
                };
                get.onerror = () => resolve(null);
              };
              open.onerror = () => resolve(null);
            }),
        ),
      { timeout: 20_000 },
    )
    .toBe(teacher!.key);

  await page.evaluate(() =>
    (window as unknown as { playground: Playground }).playground.crashEngine(),
  );
  const notice = stoppedNotice(page);
  await expect(notice).toBeVisible({ timeout: 10_000 });
  await expect(notice).not.toContainText('during the run');
  await expect(notice.getByTestId('notice-rerun')).toHaveCount(0);
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done');
  expect(await resultRows(page)).toEqual(before);
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');

  // Run all on the fresh worker reuses the saved teacher: no teacher training, the same result.
  // The click waits for the restart (the saved teacher loading back) before the run starts, so
  // the old 'done' must first give way to this run's status.
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'running', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 200_000,
  });
  const state = await page.evaluate(() => {
    const s = (window as unknown as { playground: Playground }).playground.store.getState();
    return { teacher: s.teacher, teacherCurve: s.curves.teacher ?? [] };
  });
  expect(state.teacher).toEqual(teacher);
  expect(state.teacherCurve).toEqual([]);
  expect((await resultRows(page)).map(([variant]) => variant)).toEqual(
    before.map(([variant]) => variant),
  );
  expect(errors).toEqual([]);
});
