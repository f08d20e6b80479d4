import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { openApp, runAllToDone, useTinyPipeline, watchCsp } from './helpers';

test('every technique on a tiny preset fills the comparison table', async ({ page }) => {
  test.setTimeout(240_000);
  const violations = await watchCsp(page);
  await openApp(page);
  // The site's Content-Security-Policy is in force: header and <meta>.
  const policy = await page.evaluate(async () => {
    const header = (await fetch(location.href)).headers.get('Content-Security-Policy');
    const meta = document.querySelector('meta[http-equiv="Content-Security-Policy"]');
    return { header, meta: meta?.getAttribute('content') ?? null };
  });
  for (const p of [policy.header, policy.meta]) {
    expect(p).toContain("script-src 'self' 'wasm-unsafe-eval'");
    // Inline style attributes only (KaTeX): never inline scripts or <style> elements.
    expect(p).not.toMatch(/(script-src|style-src) [^;]*unsafe-inline/);
  }
  await useTinyPipeline(page);
  await runAllToDone(page);
  const rows = page.getByTestId('result-row');
  // teacher + 8 variants + the distilled student's student-alone baseline + one fp32 control
  // (QAT, both prunings, low-rank and weight sharing all train 2 epochs at the same rate)
  await expect(rows).toHaveCount(11);
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
  // Each variant that trains is compared with the teacher trained as long, uncompressed.
  const control = await read('fp32 control: +2 epochs');
  expect(control.size).toBe(teacher.size);
  for (const name of [
    'QAT w4a8',
    '50% pruned',
    'Structured 25%',
    'Low-rank r=4',
    'k-means 3-bit',
  ]) {
    const row = page.locator(`[data-testid=result-row][data-variant="${name}"]`);
    await expect(row).toHaveAttribute('data-control', 'fp32 control: +2 epochs');
    const vs = Number(await row.getAttribute('data-vs-control-points'));
    expect(vs).toBeCloseTo(100 * ((await read(name)).accuracy - control.accuracy), 6);
  }
  await expect(
    page.locator('[data-testid=result-row][data-variant="INT8 static PTQ"]'),
  ).toHaveAttribute('data-control', '');
  expect((await read('Low-rank r=4')).size).toBeLessThan(teacher.size);
  // 3-bit indices + 8 fp32 centroids per kernel, fp32 biases: under 30% of the fp32 bytes.
  const shared = await read('k-means 3-bit');
  expect(shared.size).toBeLessThan(teacher.size * 0.3);
  expect(shared.accuracy).toBeGreaterThan(0.5);
  await expect(
    page.locator('[data-testid=result-row][data-variant="Distilled student — student alone"]'),
  ).toHaveCount(1);
  await expect(page.getByTestId('pareto-chart')).toBeVisible();
  // Training, every stage, the engines and the charts ran under the policy without a violation.
  expect(await violations()).toEqual([]);
  await page.screenshot({ path: 'test-results/pipeline.png', fullPage: true });

  // The downloads hold the same numbers as the table.
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('download-results').click(),
  ]);
  const doc = JSON.parse(await readFile((await download.path())!, 'utf8')) as {
    variants: { variant: string; accuracy: number; sizeBytes: number }[];
  };
  expect(doc.variants).toHaveLength(11);
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
  expect(lines).toHaveLength(12);
  expect(lines[1]).toContain(String(teacher.size));
});
