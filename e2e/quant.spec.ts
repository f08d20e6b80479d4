import { expect, test } from '@playwright/test';
import { useBackend } from './helpers';

test('the 8 → 2 bits lesson draws accuracy against bit width and sizes shrink with bits', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await page.goto('/?lesson=quant-bits');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /\w+/);
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 150_000,
  });
  await expect(page.getByTestId('bits-chart')).toBeVisible();
  const size = async (bits: number) =>
    Number(
      await page
        .locator(`[data-testid=result-row][data-variant="PTQ static ${bits}-bit"]`)
        .getAttribute('data-size-bytes'),
    );
  expect(await size(8)).toBeGreaterThan(await size(4));
  expect(await size(4)).toBeGreaterThan(await size(2));
});
