import { expect, test } from '@playwright/test';
import { runEngineCheck } from '../scripts/check-engine-browser.mjs';

// Node cannot run relaxed SIMD correctly (Node 20's flagged V8), so the relaxed int8 kernels are
// checked here, in the Chromium the e2e suite runs: every kernel of both builds on every case.
test('every int8 kernel, relaxed SIMD included, equals the JS integer reference bit for bit', async () => {
  test.setTimeout(240_000);
  const report = await runEngineCheck({ runs: 0 });
  expect(report.simd.relaxedSimd).toBe(true);
  expect(report.selfTest).toBeNull();
  expect(report.exactness.filter((r) => !r.exact)).toEqual([]);
  const kernels = new Set(report.exactness.flatMap((r) => r.kernels.split(',')));
  for (const kernel of ['relaxed-dot', 'relaxed-dot-i16', 'relaxed-dot-split', 'fixed-dot-i16']) {
    expect(kernels).toContain(kernel);
  }
  expect(report.exactness.length).toBeGreaterThanOrEqual(70);
});
