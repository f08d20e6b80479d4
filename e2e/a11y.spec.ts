import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { openApp, useBackend } from './helpers';

/** Serious and critical axe violations of the page as it is now, as "rule: target" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(' ')}`));
}

test('no serious accessibility violations: main screen, a lesson, results after a run', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await openApp(page);
  expect(await seriousViolations(page)).toEqual([]);

  await openApp(page, '/?lesson=quant-bits');
  await expect(page.getByTestId('lesson-panel')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);

  await openApp(page);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 150_000,
  });
  await expect(page.getByTestId('grouped-bars')).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test('the main controls are reached with Tab, show their focus, and work with the keyboard', async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('moons-tiny');
  const run = page.getByTestId('run-all');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await run.evaluate((el) => el === document.activeElement);
  }
  expect(reached).toBe(true);
  // A visible focus ring: the focused button draws an outline (or a box shadow).
  const ring = await run.evaluate((el) => {
    const style = getComputedStyle(el);
    return style.outlineStyle !== 'none' || style.boxShadow !== 'none';
  });
  expect(ring).toBe(true);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 90_000,
  });
  // The tabs of the phone layout are buttons too: reachable and pressed with the keyboard.
  await page.setViewportSize({ width: 390, height: 844 });
  await page.getByTestId('tab-results').focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('results-table')).toBeVisible();
});
