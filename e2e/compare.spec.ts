import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { openApp, runAllToDone, useTinyPipeline } from './helpers';

test('compare dashboard: grouped bars, a variant diff and a chart export', async ({ page }) => {
  test.setTimeout(240_000);
  await openApp(page);
  await useTinyPipeline(page);
  await runAllToDone(page);

  const bars = page.getByTestId('grouped-bars');
  await expect(bars).toBeVisible();
  // one group per results row (teacher + 9 variants + an fp32 control), four bars each
  // (accuracy, size, latency b1 and b32)
  await expect(bars.locator('.recharts-bar-rectangle')).toHaveCount(44);

  const diff = page.getByTestId('variant-diff');
  await diff.scrollIntoViewIfNeeded();
  await diff.getByTestId('diff-a').selectOption('teacher');
  await diff.getByTestId('diff-b').selectOption('kd-alone');
  const matrix = diff.getByTestId('diff-matrix');
  await expect(matrix).toBeVisible();
  // moons: 2 classes, so a 2×2 matrix whose cells sum to zero (same test examples)
  const cells = matrix.locator('tbody td');
  await expect(cells).toHaveCount(4);
  const values = (await cells.allTextContents()).map(Number);
  expect(values.reduce((a, b) => a + b, 0)).toBe(0);
  const count = Number(await diff.getByTestId('diff-count').getAttribute('data-count'));
  await expect(diff.getByTestId('diff-example')).toHaveCount(Math.min(24, count));
  await page.screenshot({ path: 'test-results/compare.png', fullPage: true });

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('pareto-chart').getByTestId('export-svg').click(),
  ]);
  expect(download.suggestedFilename()).toBe('pareto-chart.svg');
  const svg = await readFile((await download.path())!, 'utf8');
  expect(svg.startsWith('<svg')).toBe(true);
  expect(svg).toContain('xmlns="http://www.w3.org/2000/svg"');
});
