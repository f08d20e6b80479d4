import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { openApp, useBackend } from './helpers';

test('every technique on a tiny preset fills the comparison table', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 200_000,
  });
  const rows = page.getByTestId('result-row');
  // teacher + 7 variants + the distilled student's student-alone baseline
  await expect(rows).toHaveCount(9);
  const read = async (variant: string) => {
    const row = page.locator(`[data-testid=result-row][data-variant="${variant}"]`);
    return {
      accuracy: Number(await row.getAttribute('data-accuracy')),
      size: Number(await row.getAttribute('data-size-bytes')),
      latency: Number(await row.getAttribute('data-latency-ms')),
    };
  };
  const teacher = await read('teacher');
  for (const name of ['INT8 dynamic PTQ', 'INT8 static PTQ', 'QAT w4a8']) {
    const q = await read(name);
    expect(q.size).toBeLessThan(teacher.size * 0.5);
    expect(q.accuracy).toBeGreaterThan(0.5);
    expect(q.latency).toBeGreaterThan(0);
  }
  expect((await read('Structured 25%')).size).toBeLessThan(teacher.size);
  expect((await read('Low-rank r=4')).size).toBeLessThan(teacher.size);
  await expect(
    page.locator('[data-testid=result-row][data-variant="Distilled student — student alone"]'),
  ).toHaveCount(1);
  await expect(page.getByTestId('pareto-chart')).toBeVisible();
  await page.screenshot({ path: 'test-results/pipeline.png', fullPage: true });

  // The downloads hold the same numbers as the table.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-results').click(),
  ]);
  const doc = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
    variants: { variant: string; accuracy: number; sizeBytes: number }[];
  };
  expect(doc.variants).toHaveLength(9);
  for (const v of doc.variants) {
    const row = await read(v.variant);
    expect(row.accuracy).toBe(v.accuracy);
    expect(row.size).toBe(v.sizeBytes);
  }
  const [csv] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-csv').click(),
  ]);
  const lines = (await readFile((await csv.path())!, 'utf8')).trim().split(/\r?\n/);
  expect(lines).toHaveLength(10);
  expect(lines[1]).toContain(String(teacher.size));
});
