import { expect, test } from '@playwright/test';
import { openApp, watchErrors } from './helpers';

test('a lesson link opens the panel with rendered math and the lesson’s experiment', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await openApp(page, '/?lesson=quant-bits');
  const panel = page.getByTestId('lesson-panel');
  await expect(panel).toBeVisible();
  await expect(page.getByTestId('lesson-title')).toHaveText('What 8 → 2 bits does to a network');
  await expect(panel.locator('.katex').first()).toBeVisible();
  await expect(page.getByTestId('lesson-formula')).toHaveCount(3);
  await expect(page.getByTestId('lesson-select')).toHaveValue('quant-bits');
  // Five PTQ variants: 8, 6, 4, 3 and 2 bits, on MNIST.
  await expect(page.getByTestId('variant-card')).toHaveCount(5);
  await expect(page.getByTestId('train-size')).toHaveValue('3000');
  await expect(page.locator('body')).not.toHaveClass(/instructor/);
  await page.screenshot({ path: 'test-results/lesson-quant-bits.png' });
  await page.getByTestId('lesson-close').click();
  await expect(panel).toHaveCount(0);
  expect(errors).toEqual([]);
});

test('?instructor=1 turns on instructor mode; the toggle turns it off', async ({ page }) => {
  await openApp(page, '/?lesson=prune-schedule&instructor=1');
  await expect(page.locator('body')).toHaveClass(/\binstructor\b/);
  await expect(page.getByTestId('lesson-title')).toHaveText('Pruning: one-shot vs gradual');
  await expect(page.getByTestId('variant-card')).toHaveCount(4);
  await page.screenshot({ path: 'test-results/lesson-instructor.png' });
  await page.getByTestId('instructor-toggle').uncheck();
  await expect(page.locator('body')).not.toHaveClass(/\binstructor\b/);
});

test('choosing a lesson from the select loads its experiment', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('lesson-panel')).toHaveCount(0);
  await page.getByTestId('lesson-select').selectOption('distill-temperature');
  await expect(page.getByTestId('lesson-title')).toHaveText('Distillation temperature');
  await expect(page.getByTestId('lesson-panel').locator('.katex').first()).toBeVisible();
  await expect(page.getByTestId('variant-card')).toHaveCount(3);
  await expect(page.getByTestId('preset-select')).toHaveValue('');
  // Picking a preset leaves the lesson.
  await page.getByTestId('preset-select').selectOption('moons-tiny');
  await expect(page.getByTestId('lesson-panel')).toHaveCount(0);
  await expect(page.getByTestId('lesson-select')).toHaveValue('');
});

test('an unknown lesson in the link gives a clear notice', async ({ page }) => {
  await openApp(page, '/?lesson=no-such-lesson');
  await expect(page.getByTestId('notice').first()).toContainText('no-such-lesson');
  await expect(page.getByTestId('lesson-panel')).toHaveCount(0);
});
