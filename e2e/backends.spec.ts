import { expect, test } from '@playwright/test';
import { encodeExperimentLink } from '../src/experiment/link/encode';
import { findPreset } from '../src/experiment/presets';
import { openApp, runAllToDone, setField, useBackend, watchErrors } from './helpers';

// GPU backends run on SwiftShader here: slow, so the workloads are tiny. WebGL gets a smoke test;
// WebGPU, the default where a GPU is present, the whole pipeline below.
test('trains a tiny model on webgl', async ({ page }) => {
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('moons-tiny');
  await useBackend(page, 'webgl');
  await setField(page, 'epochs', '2');
  await page.getByTestId('run-all').click();
  const accuracy = page.getByTestId('teacher-accuracy');
  await expect(accuracy).toBeVisible({ timeout: 100_000 });
  expect(Number(await accuracy.getAttribute('data-accuracy'))).toBeGreaterThan(0.6);
  await expect(page.getByTestId('backend-badge')).toContainText('webgl');
});

test('on WebGPU every technique runs, the views read every variant, and int8 says which path ran', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  const tiny = findPreset('tiny-pipeline')!.experiment;
  const teacher = { ...tiny.teacher, training: { ...tiny.teacher.training, epochs: 2 } };
  // Two more paths that computed on the device before a read: LSQ's scales, gradual masks.
  const ft = { finetuneEpochs: 1, learningRate: 0.005 };
  const variants = [
    ...tiny.variants,
    {
      id: 'qat-lsq',
      name: 'QAT LSQ',
      stages: [
        { technique: 'qat', params: { weightBits: 4, epochs: 1, learnedScale: true, ...ft } },
      ],
    },
    {
      id: 'gradual',
      name: 'Gradual 60%',
      stages: [{ technique: 'prune', params: { sparsity: 0.6, schedule: 'gradual', ...ft } }],
    },
  ];
  const pipeline = { ...tiny, teacher, variants } as typeof tiny;
  await openApp(page, `/${encodeExperimentLink(pipeline)}`);
  await useBackend(page, 'webgpu');
  await runAllToDone(page, 240_000);
  // tfjs reads a WebGPU tensor synchronously through a canvas, which here returned zeros and lost
  // the device, so every variant after the first such read failed: the stages read back
  // asynchronously. Every variant finished, and the teacher was timed on the device.
  const statuses = page.getByTestId('variant-status');
  await expect(statuses).toHaveCount(pipeline.variants.length);
  expect(new Set(await statuses.evaluateAll((els) => els.map((e) => e.dataset.status)))).toEqual(
    new Set(['done']),
  );
  await expect(page.getByTestId('variant-error')).toHaveCount(0);
  const accuracy = page.getByTestId('teacher-accuracy');
  expect(Number(await accuracy.getAttribute('data-accuracy'))).toBeGreaterThan(0.6);
  await expect(page.getByTestId('backend-badge')).toContainText('webgpu');
  const teacherRow = page.locator('[data-testid=result-row][data-variant="teacher"]');
  expect(Number(await teacherRow.getAttribute('data-latency-ms'))).toBeGreaterThan(0);
  // Both exact int8 paths ran and were timed at batch 32; the note names the one that was faster.
  const note = page
    .locator('[data-testid=result-row][data-variant="INT8 static PTQ"]')
    .locator('.row-note');
  await expect(note).toHaveAttribute(
    'title',
    /Timed on: (int8 WGSL on WebGPU \(dot4I8Packed\).*\(measured faster than the int8 wasm engine here\)|int8 wasm engine.*\(measured faster than the WGSL int8 path here\))/,
  );
  // The views read the QAT variant's grids, the analyzer simulates it, and the scan runs.
  await page.getByTestId('views-source').selectOption('qat');
  await page.getByTestId('views-tab-quant').click();
  await expect(page.getByTestId('views-quant')).toContainText('4-bit');
  await page.getByTestId('analyzer-run').click();
  await expect(page.getByTestId('analyzer-layer')).toHaveCount(3, { timeout: 60_000 });
  await page.getByTestId('views-source').selectOption('pruned');
  await page.getByTestId('views-tab-prune').click();
  await expect(page.getByTestId('views-prune')).toContainText('Overall sparsity 50.0%');
  const scan = page.getByTestId('sensitivity-panel');
  await scan.getByTestId('sensitivity-run').click();
  await expect(scan.getByTestId('chart-sensitivity').locator('.recharts-line-curve')).toHaveCount(
    3,
    { timeout: 120_000 },
  );
  expect(errors).toEqual([]);
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
