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
  const all = ['relaxed-dot', 'relaxed-dot-i16', 'relaxed-dot-i16-pairs', 'relaxed-dot-split'];
  for (const kernel of [...all, 'fixed-dot-i16']) expect(kernels).toContain(kernel);
  // 'pairs' on full-range 8-bit weights is refused (an int16 lane could overflow) and runs unpaired.
  const refused = report.exactness.filter(
    (r) => r.name === 'reference CNN w8a7' && r.kernel === 'pairs',
  );
  expect(refused.length).toBeGreaterThan(0);
  refused.forEach((r) => expect(r.kernels).not.toContain('relaxed-dot-i16-pairs'));
  expect(report.exactness.length).toBeGreaterThanOrEqual(84);
});
