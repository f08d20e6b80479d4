import { expect, test } from '@playwright/test';
import { openApp, setField, useBackend } from './helpers';

// Smoke tests on the GPU backends (SwiftShader here: slow, so the workload is tiny).
for (const backend of ['webgl', 'webgpu'] as const) {
  test(`trains a tiny model on ${backend}`, async ({ page }) => {
    await openApp(page);
    await page.getByTestId('preset-select').selectOption('moons-tiny');
    await useBackend(page, backend);
    await setField(page, 'epochs', '2');
    await page.getByTestId('run-all').click();
    const accuracy = page.getByTestId('teacher-accuracy');
    await expect(accuracy).toBeVisible({ timeout: 100_000 });
    expect(Number(await accuracy.getAttribute('data-accuracy'))).toBeGreaterThan(0.6);
    await expect(page.getByTestId('backend-badge')).toContainText(backend);
  });
}

test('the page is cross-origin isolated, so threaded wasm can start, and the badge shows threads', async ({
  page,
}) => {
  await openApp(page);
  expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  expect(await page.evaluate(() => typeof SharedArrayBuffer)).toBe('function');
  await useBackend(page, 'wasm');
  await expect(page.getByTestId('backend-badge')).toContainText(/wasm · \d+ threads?/);
});

test('trains the reference CNN on wasm through our fused kernels, to better than chance', async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('mnist-cnn');
  await useBackend(page, 'wasm');
  await expect(page.getByTestId('backend-badge')).toHaveAttribute(
    'title',
    /Training: fused wasm kernels, (relaxed SIMD|SIMD), (2 threads \(measured|one thread \(two measured|one thread: one core)/,
  );
  await setField(page, 'train-size', '1500');
  await setField(page, 'test-size', '300');
  await setField(page, 'epochs', '1');
  await page.getByTestId('run-all').click();
  const accuracy = page.getByTestId('teacher-accuracy');
  await expect(accuracy).toBeVisible({ timeout: 120_000 });
  // 11 steps of 128 on 1,500 digits: a working gradient is far above the 10 % of chance.
  expect(Number(await accuracy.getAttribute('data-accuracy'))).toBeGreaterThan(0.5);
});
