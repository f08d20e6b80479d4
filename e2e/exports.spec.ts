import { readFile } from 'node:fs/promises';
import type { Download } from '@playwright/test';
import { expect, test } from '@playwright/test';
import * as ort from 'onnxruntime-node';
import { inspectOnnx } from '../src/engine/export/onnx/inspect';
import { openApp, useBackend } from './helpers';

test('a quantized variant downloads as a QDQ ONNX model that onnxruntime runs; the PyTorch export downloads its two files', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await openApp(page);
  await page.getByTestId('preset-select').selectOption('tiny-pipeline');
  await useBackend(page, 'wasm');
  await page.getByTestId('run-all').click();
  await expect(page.getByTestId('run-status')).toHaveAttribute('data-status', 'done', {
    timeout: 200_000,
  });

  const source = page.getByTestId('export-model-source');
  await source.selectOption({ label: 'INT8 static PTQ' });
  const button = page.getByTestId('export-onnx');
  await expect(button).toBeEnabled();
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  const bytes = await readFile((await download.path())!);
  const info = inspectOnnx(new Uint8Array(bytes));
  const ops = new Set(info.nodes.map((n) => n.opType));
  expect(ops.has('QuantizeLinear') && ops.has('DequantizeLinear')).toBe(true);
  const session = await ort.InferenceSession.create(new Uint8Array(bytes));
  const input = info.inputs[0]!;
  const features = input.dims.slice(1).reduce((a: number, d) => a * Number(d), 1);
  const x = new ort.Tensor('float32', new Float32Array(3 * features).fill(0.25), [
    3,
    ...input.dims.slice(1).map(Number),
  ]);
  const out = await session.run({ [input.name]: x });
  const logits = out[session.outputNames[0]!]!;
  expect(logits.dims[0]).toBe(3);
  expect([...(logits.data as Float32Array)].every(Number.isFinite)).toBe(true);

  // The results table downloads each row as ONNX too: the pruned row as a float graph.
  const row = page.locator('[data-testid="result-row"][data-variant="50% pruned"]');
  const rowButton = row.getByTestId('row-export-onnx');
  await expect(rowButton).toBeEnabled();
  const [rowDownload] = await Promise.all([page.waitForEvent('download'), rowButton.click()]);
  expect(rowDownload.suggestedFilename()).toBe('pruned.onnx');
  const rowBytes = new Uint8Array(await readFile((await rowDownload.path())!));
  const rowOps = new Set(inspectOnnx(rowBytes).nodes.map((n) => n.opType));
  expect(rowOps.has('QuantizeLinear')).toBe(false);
  await ort.InferenceSession.create(rowBytes);

  const files: Download[] = [];
  const collect = (d: Download) => files.push(d);
  page.on('download', collect);
  await page.getByTestId('export-pytorch').click();
  await expect.poll(() => files.length).toBe(2);
  page.off('download', collect);
  const names = files.map((d) => d.suggestedFilename()).sort();
  expect(names).toEqual(['experiment.py', 'teacher.safetensors']);
  const script = await readFile(
    (await files.find((d) => d.suggestedFilename() === 'experiment.py')!.path())!,
    'utf8',
  );
  expect(script).toMatch(/DistributedDataParallel/);
});
