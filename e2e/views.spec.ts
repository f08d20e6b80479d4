import type { Locator } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { openApp, runAllToDone, useTinyPipeline, watchErrors } from './helpers';

/** A chart rendered: its figure is visible and holds an SVG with drawn marks. */
async function expectChart(figure: Locator, marks = '.recharts-surface path, .recharts-rectangle') {
  await expect(figure).toBeVisible();
  await expect(figure.locator('figcaption')).not.toBeEmpty();
  expect(await figure.locator(marks).count()).toBeGreaterThan(0);
}

test('the technique views show what each technique did', async ({ page }) => {
  test.setTimeout(240_000);
  const errors = watchErrors(page);
  await openApp(page);
  await useTinyPipeline(page);
  await runAllToDone(page);
  const panel = page.getByTestId('technique-views');
  await expect(panel).toBeVisible();
  const source = page.getByTestId('views-source');
  // teacher + 8 variants + the student-alone baseline + the fp32 control
  await expect(source.locator('option')).toHaveCount(11);

  // Quantization of the 4-bit QAT variant: 15 grid levels drawn, plus the two clip lines.
  await source.selectOption('qat');
  await page.getByTestId('views-tab-quant').click();
  await expect(page.getByTestId('views-quant')).toContainText('4-bit');
  const histogram = page.getByTestId('chart-quant-histogram');
  await expectChart(histogram, '.recharts-bar-rectangle');
  await expect(histogram.locator('.recharts-reference-line')).toHaveCount(17);
  await expectChart(page.getByTestId('chart-sqnr'), '.recharts-bar-rectangle');
  await expectChart(page.getByTestId('chart-ste'), '.recharts-line-curve');
  await expect(page.getByTestId('chart-ste').locator('.recharts-line-curve')).toHaveCount(2);

  // The analyzer of the QAT variant: the simulations, a row per layer, a layer's input range.
  await page.getByTestId('analyzer-run').click();
  await expectChart(page.getByTestId('chart-analyzer-simulations'), '.recharts-bar-rectangle');
  await expect(page.getByTestId('analyzer-layer')).toHaveCount(3);
  const range = page.getByTestId('chart-analyzer-range');
  await expectChart(range, '.recharts-bar-rectangle');
  await expect(range.locator('.recharts-reference-line')).toHaveCount(2);
  await page.getByTestId('views-analyzer').screenshot({ path: 'test-results/views-analyzer.png' });
  // Dynamic PTQ keeps no calibrated grids: the analyzer says so instead of guessing.
  await source.selectOption('ptq-dyn');
  await page.getByTestId('analyzer-run').click();
  await expect(page.getByTestId('analyzer-error')).toContainText('static PTQ or QAT');

  // Pruning, reached with the keyboard: the 50% pruned variant, its mask and threshold.
  await source.selectOption('pruned');
  await page.getByTestId('views-tab-quant').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('views-tab-prune')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('views-prune')).toContainText('Overall sparsity 50.0%');
  await expectChart(page.getByTestId('chart-sparsity'), '.recharts-bar-rectangle');
  const mask = page.getByTestId('chart-mask').locator('canvas');
  await expect(mask).toBeVisible();
  expect(Number(await mask.getAttribute('width'))).toBeGreaterThan(0);
  const magnitude = page.getByTestId('chart-magnitude');
  await expectChart(magnitude, '.recharts-bar-rectangle');
  await expect(magnitude.locator('.recharts-reference-line')).toHaveCount(1);

  // The lab table: original / pruned / reduction of latency, MACs, params; layers before and after.
  const lab = page.getByTestId('pruning-lab');
  await expect(lab.getByTestId('pruning-lab-row')).toHaveCount(4);
  await expect(
    lab.locator('[data-measure="MACs (zeros skipped)"] [data-testid=pruning-lab-reduction]'),
  ).toContainText(/^[12]\.\d\d×$/);
  await expectChart(page.getByTestId('chart-layer-params'), '.recharts-bar-rectangle');
  await lab.screenshot({ path: 'test-results/views-pruning-lab.png' });

  // Another layer re-fetches the mask of that layer.
  await page.getByTestId('views-layer').selectOption('dense2');
  await expect(page.getByTestId('chart-mask')).toContainText('dense2');

  // Low-rank: the spectrum and the cumulative energy with its 90% line.
  await page.getByTestId('views-tab-lowrank').click();
  await expectChart(page.getByTestId('chart-spectrum'), '.recharts-line-curve');
  await expectChart(page.getByTestId('chart-energy'), '.recharts-line-curve');
  await expect(page.getByTestId('chart-energy')).toContainText('90% needs rank');

  // Weight sharing: the 3-bit k-means variant, 8 centroids before (dashed) and after fine-tuning.
  await source.selectOption('shared');
  await page.getByTestId('views-tab-share').click();
  const shared = page.getByTestId('chart-share-histogram');
  await expectChart(shared, '.recharts-bar-rectangle');
  await expect(shared.locator('.recharts-reference-line')).toHaveCount(16);
  await expect(shared).toContainText('the 8 values they now share');
  await shared.screenshot({ path: 'test-results/views-share.png' });

  // Temperature: the teacher alone, then beside the distilled student.
  await page.getByTestId('views-tab-temperature').click();
  await page.getByTestId('views-example').selectOption('3');
  await expectChart(page.getByTestId('chart-softmax-teacher'), '.recharts-bar-rectangle');
  await expectChart(page.getByTestId('chart-entropy'), '.recharts-line-curve');
  await page.getByTestId('views-student').selectOption('kd');
  await expectChart(page.getByTestId('chart-softmax-student'), '.recharts-bar-rectangle');
  await expect(page.getByTestId('chart-entropy').locator('.recharts-line-curve')).toHaveCount(2);

  await expect(page.getByTestId('views-error')).toHaveCount(0);
  await panel.screenshot({ path: 'test-results/views.png' });
  expect(errors).toEqual([]);
});

test('the technique views fit a phone screen', async ({ page }) => {
  test.setTimeout(240_000);
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page);
  await useTinyPipeline(page);
  await runAllToDone(page);
  await page.getByTestId('tab-live').click();
  for (const tab of ['quant', 'prune', 'lowrank', 'share', 'temperature']) {
    await page.getByTestId(`views-tab-${tab}`).click();
    await expect(page.getByTestId(`views-${tab}`)).toBeVisible();
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - window.innerWidth,
    );
    expect(overflow).toBeLessThanOrEqual(0);
  }
});
