import { expect, test } from '@playwright/test';
import type { Experiment } from '../src/experiment/schema';
import { openApp, runAllToDone, useTinyPipeline, watchErrors } from './helpers';

test('mixed precision: scan each layer at 8…2 bits, allocate within a budget, run it', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await openApp(page);
  await useTinyPipeline(page);
  const panel = page.getByTestId('mixed-precision-panel');
  await expect(panel.getByTestId('quant-scan-run')).toBeDisabled();
  await runAllToDone(page);

  // The scan: one line per dense layer of the 2→16→16→2 MLP.
  await panel.getByTestId('quant-scan-run').click();
  const chart = panel.getByTestId('chart-quant-sensitivity');
  await expect(chart).toBeVisible({ timeout: 60_000 });
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(3);
  await expect(chart).toContainText('weight bits of the quantized layer');

  // A budget below what 2 bits everywhere reach says so, and by how much.
  await panel.getByTestId('mixed-budget').fill('5');
  await expect(panel.getByTestId('mixed-budget-error')).toContainText(
    /even 2 bits in every layer take [\d,]+ B: raise the budget to at least [\d.]+%/,
  );
  await expect(panel.getByTestId('mixed-apply')).toHaveCount(0);

  // A 45% budget: every layer gets bits from the grid, the total fits.
  await panel.getByTestId('mixed-budget').fill('45');
  const rows = panel.getByTestId('mixed-allocation-row');
  await expect(rows).toHaveCount(3);
  const bits = (await rows.getByTestId('mixed-bits').allTextContents()).map(Number);
  for (const b of bits) expect([8, 6, 4, 3, 2]).toContain(b);
  const total = Number(
    /^([\d,]+)/
      .exec((await panel.getByTestId('mixed-total-bytes').textContent()) ?? '')![1]!
      .replace(/,/g, ''),
  );
  await panel.screenshot({ path: 'test-results/mixed-precision.png' });

  // Apply adds a variant with the pipeline of the first quantized one (dynamic PTQ), which stays …
  await panel.getByTestId('mixed-apply').click();
  await expect(page.getByTestId('notice').last()).toContainText(
    'Added “Mixed precision ≤ 45%” (the pipeline of “INT8 dynamic PTQ”): weight bits per layer dense1',
  );
  const variants = await page.evaluate(
    () =>
      (
        window as unknown as {
          playground: { store: { getState: () => { experiment: Experiment } } };
        }
      ).playground.store.getState().experiment.variants,
  );
  expect(variants.find((v) => v.id === 'ptq-dyn')?.stages[0]?.params).not.toHaveProperty(
    'layerBits',
  );
  expect(variants.find((v) => v.id === 'mixed-precision')?.stages[0]).toMatchObject({
    technique: 'ptq',
    params: {
      mode: 'dynamic',
      layerBits: { dense1: bits[0], dense2: bits[1], logits: bits[2] },
      weightBits: Math.max(...bits),
    },
  });
  // … and ships exactly the predicted bytes (dynamic PTQ keeps no activation grids).
  await runAllToDone(page);
  const row = page.locator('[data-testid=result-row][data-variant="Mixed precision ≤ 45%"]');
  expect(Number(await row.getAttribute('data-size-bytes'))).toBe(total);
  expect(Number(await row.getAttribute('data-accuracy'))).toBeGreaterThan(0.5);
  // Applying again replaces that variant instead of adding another.
  await panel.getByTestId('mixed-budget').fill('60');
  await panel.getByTestId('mixed-apply').click();
  await expect(page.getByTestId('notice').last()).toContainText('Updated “Mixed precision ≤ 60%”');
  await expect(
    page.locator('[data-testid=variant-card][data-variant-id=mixed-precision]'),
  ).toHaveCount(1);
  expect(errors).toEqual([]);
});
