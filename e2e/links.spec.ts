import { expect, test } from '@playwright/test';
import { openApp, setField } from './helpers';

test('copy link → open in a new page → identical configuration', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await setField(page, 'epochs', '3');
  await setField(page, 'learning-rate', '0.02');
  await page.getByTestId('copy-link').click();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  expect(link).toMatch(/#x=/);
  const other = await context.newPage();
  await openApp(other, link.replace(/^https?:\/\/[^/]+/, ''));
  await expect(other.getByTestId('epochs')).toHaveValue('3');
  await expect(other.getByTestId('learning-rate')).toHaveValue('0.02');
  await expect(other.getByTestId('variant-card')).toHaveCount(8);
  await expect(other.getByTestId('notice').first()).toContainText('loaded from the link');
});

test('a damaged link gives a clear message and keeps what it can', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto('/#x=N4IgbiBcCMA0I-not-a-real-link&c=zzz');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /\w+/);
  await expect(page.getByTestId('notice').first()).toContainText(/problem/i);
  await expect(page.getByTestId('run-all')).toBeEnabled();
  expect(errors).toEqual([]);
});
