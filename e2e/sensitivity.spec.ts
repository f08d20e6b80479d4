import { expect, test } from '@playwright/test';
import type { Experiment } from '../src/experiment/schema';
import { openApp, runAllToDone, useTinyPipeline, watchErrors } from './helpers';

/** Layer → sparsity (0..1) from the panel's "dense1 40%, dense2 40%, logits 70%" line. */
function parsePicks(text: string): Map<string, number> {
  return new Map(
    [...text.matchAll(/([a-z0-9_]+) (\d+)%/g)].map((m) => [m[1]!, Number(m[2]) / 100]),
  );
}

test('sensitivity scan: chart per layer, then per-layer sparsities in a prune stage', async ({
  page,
}) => {
  test.setTimeout(300_000);
  const errors = watchErrors(page);
  await openApp(page);
  await useTinyPipeline(page);
  const panel = page.getByTestId('sensitivity-panel');
  await expect(panel.getByTestId('sensitivity-run')).toBeDisabled();
  await runAllToDone(page);

  // The scan: one line per dense layer of the 2→16→16→2 MLP, axis titles, a caption.
  await panel.getByTestId('sensitivity-run').click();
  const chart = panel.getByTestId('chart-sensitivity');
  await expect(chart).toBeVisible({ timeout: 60_000 });
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(3);
  await expect(chart).toContainText('accuracy drop (points)');
  await expect(chart).toContainText('sparsity of the pruned layer (%)');
  await expect(chart.locator('figcaption')).not.toBeEmpty();
  await page.screenshot({ path: 'test-results/sensitivity-chart.png', fullPage: true });

  // A generous drop lets more weights go; apply writes into the "50% pruned" variant's stage.
  await panel.getByTestId('sensitivity-max-drop').fill('5');
  const picks = parsePicks((await panel.getByTestId('sensitivity-picks').textContent()) ?? '');
  expect([...picks.keys()]).toEqual(['dense1', 'dense2', 'logits']);
  await panel.getByTestId('sensitivity-apply').click();
  await expect(page.getByTestId('notice').last()).toContainText(
    '“50% pruned”, prune stage: per-layer sparsity',
  );

  // The stage holds the picks, and the variant runs with them.
  const stageParams = await page.evaluate(
    () =>
      (
        window as unknown as {
          playground: { store: { getState: () => { experiment: Experiment } } };
        }
      ).playground.store
        .getState()
        .experiment.variants.find((v) => v.id === 'pruned')?.stages[0]?.params,
  );
  expect(stageParams).toMatchObject({
    kind: 'magnitude',
    scope: 'layer',
    layerSparsities: Object.fromEntries(picks),
  });
  await runAllToDone(page);
  const row = page.locator('[data-testid=result-row][data-variant="50% pruned"]');
  expect(Number(await row.getAttribute('data-accuracy'))).toBeGreaterThan(0.5);

  // With no prune stage left, apply adds a variant of its own.
  for (const name of ['50% pruned', 'Structured 25%']) {
    await page.getByRole('button', { name: `Remove ${name}` }).click();
  }
  await panel.getByTestId('sensitivity-apply').click();
  const guided = page.locator('[data-testid=variant-card][data-variant-id=sensitivity]');
  await expect(guided.getByLabel('Variant name')).toHaveValue('Sensitivity-guided pruning');
  await expect(guided.getByTestId('stage-chip')).toHaveCount(1);
  await expect(guided.getByTestId('stage-chip')).toContainText('prune');
  await expect(page.getByTestId('notice').last()).toContainText(
    'Added “Sensitivity-guided pruning”',
  );
  expect(errors).toEqual([]);
});
