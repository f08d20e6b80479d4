import { expect, test } from '@playwright/test';
import { encodeExperimentLink } from '../src/experiment/link/encode';
import { findPreset } from '../src/experiment/presets';
import { openApp, runAllToDone, setField, useBackend } from './helpers';

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

test('on WebGPU an int8 variant times the WGSL int8 path against the wasm engine and says which ran', async ({
  page,
}) => {
  test.setTimeout(200_000);
  const tiny = findPreset('moons-tiny')!.experiment;
  const experiment = {
    ...tiny,
    teacher: { ...tiny.teacher, training: { ...tiny.teacher.training, epochs: 2 } },
    variants: findPreset('tiny-pipeline')!.experiment.variants.filter((v) => v.id === 'ptq-static'),
  };
  await openApp(page, `/${encodeExperimentLink(experiment)}`);
  await useBackend(page, 'webgpu');
  await runAllToDone(page, 180_000);
  const note = page
    .locator('[data-testid=result-row][data-variant="INT8 static PTQ"]')
    .locator('.row-note');
  // The device survived the run: the teacher was timed on WebGPU (tfjs's synchronous read of GPU
  // values destroyed it before the weights were read back asynchronously first).
  const teacher = page.locator('[data-testid=result-row][data-variant="teacher"]');
  expect(Number(await teacher.getAttribute('data-latency-ms'))).toBeGreaterThan(0);
  // Both exact paths ran and were timed at batch 32; the note names the one that was faster.
  await expect(note).toHaveAttribute(
    'title',
    /Timed on: (int8 WGSL on WebGPU \(dot4I8Packed\).*\(measured faster than the int8 wasm engine here\)|int8 wasm engine.*\(measured faster than the WGSL int8 path here\))/,
  );
});

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
