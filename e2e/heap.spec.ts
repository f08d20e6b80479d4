// What the page leaves on the heap when its screens come and go: counted in a heap snapshot of the
// real Chromium, by the native objects' names, before and after the same screens are swapped in and
// out, so a leak shows as a count that grows with the number of swaps.
import { expect, test } from '@playwright/test';
import type { CDPSession, Page } from '@playwright/test';
import { openApp, watchErrors } from './helpers';

/** How many heap-snapshot nodes are named `name`, after two full collections. */
async function countNodes(cdp: CDPSession, name: string): Promise<number> {
  await cdp.send('HeapProfiler.collectGarbage');
  await cdp.send('HeapProfiler.collectGarbage');
  const chunks: string[] = [];
  const onChunk = (e: { chunk: string }): void => {
    chunks.push(e.chunk);
  };
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snap = JSON.parse(chunks.join('')) as {
    snapshot: { meta: { node_fields: string[] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const nameAt = fields.indexOf('name');
  const wanted = snap.strings.indexOf(name);
  let count = 0;
  for (let i = nameAt; i < snap.nodes.length; i += fields.length)
    if (snap.nodes[i] === wanted) count++;
  return count;
}

async function switchPreset(page: Page, preset: string): Promise<void> {
  await page.getByTestId('preset-select').selectOption(preset);
  await expect(page.getByTestId('preset-select')).toHaveValue(preset);
  await expect(page.getByTestId('dataset-preview')).toBeVisible();
}

test('swapping presets leaves no media queries behind (Chromium keeps one per styled <thead> unless the table style sets break-inside)', async ({
  page,
  context,
}) => {
  const errors = watchErrors(page);
  await openApp(page);
  const cdp = await context.newCDPSession(page);
  // One round first, so every lazily made style object exists before the count starts.
  await switchPreset(page, 'tiny-pipeline');
  await switchPreset(page, 'moons-tiny');
  const start = await countNodes(cdp, 'blink::MediaQuerySet');
  const swaps = 8;
  for (let i = 0; i < swaps; i++) {
    await switchPreset(page, 'tiny-pipeline');
    // The tiny pipeline's screen has tables with header and footer rows: the ones that leaked.
    await expect(page.locator('thead').first()).toBeAttached();
    await switchPreset(page, 'moons-tiny');
  }
  await page.waitForTimeout(300);
  const end = await countNodes(cdp, 'blink::MediaQuerySet');
  // The charts' reduced-motion queries are made again at each mount and replace the old ones, so
  // the count may move by the few on screen; a leak adds at least one per swap.
  expect(end - start).toBeLessThan(swaps / 2);
  expect(errors).toEqual([]);
});
