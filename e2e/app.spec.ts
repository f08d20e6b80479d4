import { expect, test } from '@playwright/test';
import { openApp, setField, useBackend, watchErrors } from './helpers';

test('loads with a default experiment and no console errors', async ({ page }) => {
  const errors = watchErrors(page);
  await openApp(page);
  await expect(page.getByTestId('preset-select')).toHaveValue('first-look');
  await expect(page.getByTestId('variant-card')).toHaveCount(4);
  await expect(page.getByTestId('teacher-card').getByTestId('model-summary')).toContainText(
    'Total',
  );
  await expect(page.getByTestId('run-all')).toBeEnabled();
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  await page.screenshot({ path: 'test-results/app-desktop.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('trains a tiny model on a synthetic set above chance, with a confusion matrix', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('moons-tiny');
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  const accuracy = page.getByTestId('teacher-accuracy');
  await expect(accuracy).toBeVisible({ timeout: 90_000 });
  expect(Number(await accuracy.getAttribute('data-accuracy'))).toBeGreaterThan(0.75);
  await expect(page.getByTestId('confusion-matrix')).toBeVisible();
  await expect(page.getByTestId('training-charts')).toBeVisible();
  const row = page.getByTestId('result-row');
  await expect(row).toHaveCount(1);
  expect(Number(await row.getAttribute('data-size-bytes'))).toBe(
    4 * (2 * 8 + 8 + 8 * 8 + 8 + 8 * 2 + 2),
  );
  expect(Number(await row.getAttribute('data-latency-ms'))).toBeGreaterThan(0);
  await page.screenshot({ path: 'test-results/trained.png', fullPage: true });
  expect(errors).toEqual([]);
});

test('cancel stops a run mid-way and a new run can start', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('spiral-mlp');
  await useBackend(page, 'cpu');
  await setField(page, 'epochs', '200');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('train-progress')).toBeVisible();
  await page.getByTestId('pause').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'paused');
  await page.getByTestId('cancel').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'cancelled');
  await expect(page.getByTestId('epochs')).toHaveValue('200');
  await setField(page, 'epochs', '2');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('result-row')).toHaveCount(1);
});

test('an invalid hyperparameter is explained and the last valid value is kept', async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('spiral-mlp');
  const lr = page.getByTestId('learning-rate');
  await lr.fill('0');
  await expect(page.getByText('learning rate must be above 0')).toBeVisible();
  await expect(lr).toHaveAttribute('aria-invalid', 'true');
  await page.getByTestId('batch-size').fill('0');
  await expect(page.getByText('batch size must be at least 1')).toBeVisible();
  await page.getByTestId('mlp-hidden').fill('32, 100000');
  await expect(page.getByText(/between 1 and 1024/)).toBeVisible();
  // The experiment kept the valid values: a run trains with them.
  await setField(page, 'epochs', '1');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 60_000,
  });
  await expect(page.getByTestId('total-params')).toHaveText('1,251');
});

test('a diverging run stops with a hint to lower the learning rate', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('spiral-mlp');
  await useBackend(page, 'cpu');
  // A linear network under plain SGD at a huge rate: the weights explode to Inf, then NaN.
  await page.getByTestId('teacher-card').getByTestId('arch-activation').selectOption('linear');
  await page.getByTestId('optimizer-select').selectOption('sgd');
  await setField(page, 'learning-rate', '10');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-error')).toContainText(/lower learning rate/, {
    timeout: 60_000,
  });
  await expect(page.getByTestId('learning-rate')).toHaveValue('10');
});

test('works at a phone width with tabs', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page);
  await expect(page.getByTestId('tab-experiment')).toBeVisible();
  await page.screenshot({ path: 'test-results/phone-experiment.png', fullPage: true });
  await page.getByTestId('tab-live').click();
  await expect(page.getByTestId('training-panel')).toBeVisible();
  await expect(page.getByTestId('dataset-card')).toBeHidden();
  await page.getByTestId('tab-results').click();
  await expect(page.getByTestId('results-table')).toBeVisible();
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
});
