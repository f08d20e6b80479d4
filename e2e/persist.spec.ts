import { readFile } from 'node:fs/promises';
import type { Download, Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import * as tf from '@tensorflow/tfjs';
import { openApp, useBackend } from './helpers';

/** Runs the tiny moons preset (teacher only) on wasm and returns the rows' accuracies. */
async function tinyRun(page: Page): Promise<Record<string, string>> {
  await page.getByTestId('preset-select').selectOption('moons-tiny');
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  return rowAccuracies(page);
}

async function rowAccuracies(page: Page): Promise<Record<string, string>> {
  const rows = page.getByTestId('result-row');
  await expect(rows.first()).toBeVisible();
  const out: Record<string, string> = {};
  for (const row of await rows.all()) {
    out[(await row.getAttribute('data-variant'))!] = (await row.getAttribute('data-accuracy'))!;
  }
  return out;
}

/** Waits until the page has stored the trained teacher's weights and their record. */
async function savedTeacher(page: Page): Promise<void> {
  await expect
    .poll(
      () =>
        page.evaluate(
          () =>
            new Promise<boolean>((resolve) => {
              const open = indexedDB.open('compression-playground', 1);
              open.onerror = () => resolve(false);
              open.onsuccess = () => {
                const db = open.result;
                const get = db.transaction('state').objectStore('state').get('teacher');
                get.onsuccess = () => {
                  db.close();
                  resolve(get.result !== undefined);
                };
                get.onerror = () => resolve(false);
              };
            }),
        ),
      { timeout: 30_000 },
    )
    .toBe(true);
}

type StoreHandle = { store: { getState: () => Record<string, unknown> } };
const stateOf = (page: Page, key: string) =>
  page.evaluate(
    (k) => (window as unknown as { playground: StoreHandle }).playground.store.getState()[k],
    key,
  );

test('a reload restores the results without retraining, and Run all reuses the teacher', async ({
  page,
}) => {
  await openApp(page);
  const before = await tinyRun(page);
  await savedTeacher(page);
  await page.waitForTimeout(1500); // the debounced save of the session
  await page.reload();
  await expect(
    page.getByTestId('notice').filter({ hasText: 'Restored your last session' }),
  ).toBeVisible();
  expect(await rowAccuracies(page)).toEqual(before);
  for (let i = 0; i < 4; i++) {
    await expect(page.getByTestId('run-status')).not.toHaveAttribute('data-status', 'running');
    await page.waitForTimeout(500);
  }
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', 'wasm');
  await expect(page.getByTestId('dataset-preview')).toBeVisible();
  await page.waitForTimeout(1000); // the stored teacher loads into the worker
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  await expect(page.getByTestId('notice').filter({ hasText: 'could not be read' })).toHaveCount(0);
  const curves = (await stateOf(page, 'curves')) as Record<string, unknown>;
  expect(curves.teacher).toBeUndefined(); // no teacher training steps: it was reused
  expect(await rowAccuracies(page)).toEqual(before);

  // Clearing the stored data: the next reload starts fresh.
  await page.waitForTimeout(1000);
  await page.getByTestId('clear-storage').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Stored data cleared' })).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('dataset-preview')).toBeVisible();
  await page.waitForTimeout(1000);
  await expect(page.getByTestId('result-row')).toHaveCount(0);
});

test('an experiment file round-trips and models export for stock tfjs', async ({
  page,
  browser,
}) => {
  await openApp(page);
  const before = await tinyRun(page);
  const experiment = await stateOf(page, 'experiment');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-experiment').click(),
  ]);
  const filePath = (await download.path())!;
  const doc = JSON.parse(await readFile(filePath, 'utf8')) as { teacherWeights?: unknown };
  expect(doc.teacherWeights).toBeDefined();

  // Export the teacher as model.json + weights.bin and load it with stock tfjs in Node.
  await page.getByTestId('export-model-source').selectOption('teacher');
  const files: Download[] = [];
  const collect = (d: Download) => files.push(d);
  page.on('download', collect);
  await page.getByTestId('export-model').click();
  await expect.poll(() => files.length).toBe(2);
  page.off('download', collect);
  const byName = new Map(files.map((d) => [d.suggestedFilename(), d]));
  const json = JSON.parse(await readFile((await byName.get('model.json')!.path())!, 'utf8')) as {
    modelTopology: object;
    weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  };
  expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
  const bin = await readFile((await byName.get('weights.bin')!.path())!);
  await tf.setBackend('cpu');
  const model = await tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest[0]!.weights,
      weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength),
    }),
  );
  expect(model.outputs[0]!.shape).toEqual([null, 2]);
  model.dispose();

  // Import into a fresh browser profile: same config and rows, and the teacher is reused.
  const context = await browser.newContext();
  const fresh = await context.newPage();
  await openApp(fresh);
  await fresh.getByTestId('import-experiment').setInputFiles(filePath);
  await expect(fresh.getByTestId('notice').filter({ hasText: 'Imported' })).toBeVisible();
  expect(await stateOf(fresh, 'experiment')).toEqual(experiment);
  expect(await rowAccuracies(fresh)).toEqual(before);
  await fresh.getByTestId('run-all').click();
  await expect(fresh.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  expect(((await stateOf(fresh, 'curves')) as Record<string, unknown>).teacher).toBeUndefined();
  await context.close();
});

test('a corrupt experiment file shows a clear message and changes nothing', async ({ page }) => {
  await openApp(page);
  const experiment = await stateOf(page, 'experiment');
  const input = page.getByTestId('import-experiment');
  await input.setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"format":"compression-playground-exp'),
  });
  await expect(page.getByTestId('notice').filter({ hasText: 'Could not import' })).toContainText(
    'not JSON',
  );
  await input.setInputFiles({
    name: 'bad-rows.json',
    mimeType: 'application/json',
    buffer: Buffer.from(
      JSON.stringify({
        format: 'compression-playground-experiment',
        version: 1,
        experiment,
        results: { teacher: null, variants: [{ variant: 'x' }] },
      }),
    ),
  });
  await expect(page.getByTestId('notice').filter({ hasText: 'row 1' })).toBeVisible();
  expect(await stateOf(page, 'experiment')).toEqual(experiment);
  await expect(page.getByTestId('result-row')).toHaveCount(0);
});

test('a full storage quota becomes a notice, never a crash', async ({ page }) => {
  await page.addInitScript(() => {
    IDBObjectStore.prototype.put = () => {
      throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    };
  });
  await openApp(page);
  const rows = await tinyRun(page);
  await expect(page.getByTestId('notice').filter({ hasText: 'storage is full' })).toBeVisible();
  expect(Object.keys(rows)).toContain('teacher');
});

test('without IndexedDB the page says work is not saved and still runs', async ({ page }) => {
  await page.addInitScript(() => {
    Object.defineProperty(window, 'indexedDB', { get: () => undefined });
  });
  await openApp(page);
  await expect(page.getByTestId('notice').filter({ hasText: 'not saved' })).toBeVisible();
  await page.getByTestId('clear-storage').click();
  await expect(page.getByTestId('notice').filter({ hasText: 'Could not clear' })).toBeVisible();
});

test('a saved session damaged mid-write is found by its check code, reported and skipped', async ({
  page,
}) => {
  await openApp(page);
  const rows = await tinyRun(page);
  expect(Object.keys(rows)).toContain('teacher');
  await page.waitForTimeout(1000); // the debounced save
  // Cut the stored record short, as a crash in the middle of a write would.
  await page.evaluate(
    () =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open('compression-playground', 1);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const tx = open.result.transaction('state', 'readwrite');
          const store = tx.objectStore('state');
          const get = store.get('last');
          get.onsuccess = () => {
            const record = get.result as { json: string };
            store.put({ ...record, json: record.json.slice(0, record.json.length >> 1) }, 'last');
          };
          tx.oncomplete = () => {
            open.result.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
  );
  await page.reload();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /\w+/);
  await expect(
    page.getByTestId('notice').filter({ hasText: 'was damaged, so it was skipped' }),
  ).toBeVisible();
  await expect(page.getByTestId('result-row')).toHaveCount(0);
  await expect(page.getByTestId('run-all')).toBeEnabled();
});
