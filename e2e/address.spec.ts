import type { Page } from '@playwright/test';
import { expect, test } from '@playwright/test';
import { openApp, setField, watchErrors } from './helpers';

const hashOf = (page: Page) => page.evaluate(() => location.hash);

test('the address bar is the link: edits replace it, a preset adds an entry, Back returns', async ({
  page,
}) => {
  const errors = watchErrors(page);
  await openApp(page);
  // The default experiment is in the address from the start.
  await expect.poll(() => hashOf(page)).toMatch(/^#x=.+&c=/);
  const first = await hashOf(page);
  const entries = await page.evaluate(() => history.length);

  // An edit replaces the address (no new history entry) once typing pauses.
  await setField(page, 'epochs', '5');
  await expect.poll(() => hashOf(page)).not.toBe(first);
  const edited = await hashOf(page);
  expect(await page.evaluate(() => history.length)).toBe(entries);

  // A preset is a new entry; Back brings the edited experiment back, Forward the preset.
  await page.getByTestId('preset-select').selectOption('moons-tiny');
  await expect.poll(() => hashOf(page)).not.toBe(edited);
  expect(await page.evaluate(() => history.length)).toBe(entries + 1);
  await expect(page.getByTestId('epochs')).toHaveValue('10');
  await page.goBack();
  await expect(page.getByTestId('epochs')).toHaveValue('5');
  expect(await hashOf(page)).toBe(edited);
  await page.goForward();
  await expect(page.getByTestId('epochs')).toHaveValue('10');

  // Reloading the address reproduces the page, without a "loaded from a link" notice.
  await page.reload();
  await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-backend', /\w+/);
  await expect(page.getByTestId('epochs')).toHaveValue('10');
  await expect(page.getByTestId('notice').filter({ hasText: 'loaded from the link' })).toHaveCount(
    0,
  );

  // The address opened in another browser is a shared link: same experiment, with the notice.
  const other = await page.context().browser()!.newContext();
  const shared = await other.newPage();
  await openApp(shared, `/${await hashOf(page)}`);
  await expect(shared.getByTestId('epochs')).toHaveValue('10');
  await expect(
    shared.getByTestId('notice').filter({ hasText: 'loaded from the link' }),
  ).toHaveCount(1);
  await other.close();
  expect(errors).toEqual([]);
});

test('an address that is not one of our links gives a notice and the default experiment', async ({
  page,
}) => {
  await openApp(page, '/#not-a-link-at-all');
  await expect(page.getByTestId('notice').filter({ hasText: 'no experiment in it' })).toBeVisible();
  await expect(page.getByTestId('preset-select')).toHaveValue('first-look');
  await expect.poll(() => hashOf(page)).toMatch(/^#x=.+&c=/);
});
