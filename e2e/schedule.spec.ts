import { expect, test } from '@playwright/test';
import { openApp, setField, useBackend, watchErrors } from './helpers';

test('prune stage: the schedule chart follows the params and marks the finished run', async ({
  page,
}) => {
  test.setTimeout(180_000);
  const errors = watchErrors(page);
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await useBackend(page, 'wasm');
  // Only the 50% pruned variant, so the run stays short.
  for (const name of [
    'INT8 dynamic PTQ',
    'INT8 static PTQ',
    'QAT w4a8',
    'Structured 25%',
    'Distilled student',
    'Low-rank r=4',
  ]) {
    await page.getByRole('button', { name: `Remove ${name}`, exact: true }).click();
  }
  const card = page.locator('[data-testid=variant-card][data-variant-id=pruned]');
  await card.getByTestId('stage-chip').first().click();
  const chart = card.getByTestId('chart-schedule');

  // Moons, 400 points less 40 held out for validation, batch 32: 12 steps an epoch, 2 epochs.
  await expect(chart).toHaveAttribute('data-layout', 'one-shot');
  await expect(chart).toHaveAttribute('data-total-steps', '24');
  await card.getByTestId('param-schedule').selectOption('gradual');
  await expect(chart).toHaveAttribute('data-layout', 'gradual');
  await expect(chart).toHaveAttribute('data-mask-updates', '19');
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(2);
  await expect(chart).toContainText('optimizer step');
  await expect(chart).toContainText('sparsity');
  await expect(chart.locator('figcaption')).toContainText('the dot is where training is now');
  await expect(chart).toHaveAttribute('data-marker-step', '');

  await card.getByTestId('param-schedule').selectOption('iterative');
  await setField(page, 'param-finetuneEpochs', '1');
  await expect(chart).toHaveAttribute('data-total-steps', '36');
  await expect(chart.locator('figcaption')).toContainText('3 rounds of 12 steps');
  await card.getByTestId('param-schedule').selectOption('gradual');
  await setField(page, 'param-finetuneEpochs', '2');
  await expect(chart).toHaveAttribute('data-total-steps', '24');

  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 150_000,
  });
  await expect(chart).toHaveAttribute('data-marker-done', 'true');
  await expect(chart).toHaveAttribute('data-marker-step', '24');
  await expect(chart.locator('.schedule-dot.done')).toHaveCount(1);
  await card.screenshot({ path: 'test-results/schedule-chart.png' });
  expect(errors).toEqual([]);
});
