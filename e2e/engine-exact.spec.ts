import { expect, test } from '@playwright/test';
import { runEngineCheck } from '../scripts/check-engine-browser.mjs';

// Node cannot run relaxed SIMD correctly (Node 20's flagged V8), so the relaxed int8 kernels are
// checked here, in the Chromium the e2e suite runs: every kernel of both builds on every case.
// One check (cases, page and worker) for both tests below.
let report: Awaited<ReturnType<typeof runEngineCheck>>;
test.beforeAll(async () => {
  test.setTimeout(240_000);
  report = await runEngineCheck({ runs: 0 });
});

test('every int8 kernel, relaxed SIMD included, equals the JS integer reference bit for bit', () => {
  expect(report.simd.relaxedSimd).toBe(true);
  expect(report.selfTest).toBeNull();
  expect(report.exactness.filter((r) => !r.exact)).toEqual([]);
  const kernels = new Set(report.exactness.flatMap((r) => r.kernels.split(',')));
  const all = ['relaxed-dot', 'relaxed-dot-i16', 'relaxed-dot-i16-pairs', 'relaxed-dot-split'];
  for (const kernel of [...all, 'fixed-dot-i16']) expect(kernels).toContain(kernel);
  // Full-range 8-bit weights: the one-channel conv's rows 0 and 1 may not share int16 lanes, so it
  // runs unpaired; the other layers pair only groups whose lanes fit. The saturating case (codes
  // at 127, positive weights) would overflow in any pair: exact means none was made there.
  const pairsRuns = (name: string) =>
    report.exactness.filter((r) => r.name === name && r.kernel === 'pairs');
  const reference = pairsRuns('reference CNN w8a7');
  expect(reference.length).toBeGreaterThan(0);
  reference.forEach((r) =>
    expect(r.kernels.split(',')).toEqual([
      'relaxed-dot-i16',
      'relaxed-dot-i16-pairs',
      'relaxed-dot-i16-pairs',
      'relaxed-dot-i16-pairs',
    ]),
  );
  const saturating = pairsRuns('saturating dense w8a7');
  expect(saturating.map((r) => r.batch)).toEqual([1, 3]);
  saturating.forEach((r) => expect(r.kernels).toBe('relaxed-dot-i16-pairs'));
  expect(report.exactness.length).toBeGreaterThanOrEqual(96);
});

test('the WGSL int8 path (dot4I8Packed) equals the JS integer reference bit for bit', () => {
  // Chromium here has WebGPU (SwiftShader) and the packed_4x8_integer_dot_product feature.
  expect(Array.isArray(report.wgsl)).toBe(true);
  const rows = report.wgsl as Exclude<typeof report.wgsl, string>;
  const run = rows.filter((r) => !r.skipped);
  expect(run.filter((r) => !r.exact)).toEqual([]);
  // Every case but the tanh output, from a written buffer and as the app runs it on tfjs's
  // WebGPU backend: from a tensor on the GPU and from one still on the CPU.
  for (const input of ['buffer', 'gpu tensor', 'cpu tensor']) {
    expect(run.filter((r) => r.input === input).length).toBeGreaterThanOrEqual(16);
  }
  const skipped = new Set(rows.filter((r) => r.skipped).map((r) => r.name));
  expect([...skipped]).toEqual(['tanh/sigmoid MLP w8a8']);
});
