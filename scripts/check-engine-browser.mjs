// `node scripts/check-engine-browser.mjs [--build] [runs]` (not part of `npm test`): runs the wasm
// engine in headless Chromium, inside a module worker served by Vite (dev server, or with
// --build a production build), the way the app will load it. Node builds the cases (integer
// models, inputs, JS-reference logits, src/engine/kernels/browser-check-cases.ts); the worker
// (browser-check.worker.ts) checks every kernel of both builds bit for bit, including the relaxed
// SIMD kernels Node 20 cannot run correctly, and times them against the tfjs-wasm teacher.
// `npm run bench` runs the same check as its engine part (runEngineCheck, engineMarkdown).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium } from '@playwright/test';
import { build, createServer, preview, runnerImport } from 'vite';
import { buildWasm, WASM_DIR } from './build-wasm.mjs';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PORT = 4193;

/**
 * Builds the cases, serves the check page (Vite dev server, or a production build), runs it in
 * headless Chromium and returns the worker's report: exactness of every kernel and timings.
 */
export async function runEngineCheck({ production = false, runs = 30, log = () => {} } = {}) {
  await buildWasm();
  const { module } = await runnerImport(join(root, 'src/engine/kernels/browser-check-cases.ts'), {
    root,
    configFile: false,
    logLevel: 'error',
  });
  const json = await module.checkCasesJson();
  // The page lives in the gitignored build folder, next to the modules it loads.
  mkdirSync(WASM_DIR, { recursive: true });
  const html = join(WASM_DIR, 'check.html');
  writeFileSync(html, '<!doctype html><script type="module" src="../browser-check.ts"></script>\n');
  const pagePath = '/src/engine/kernels/build/check.html';
  let server;
  if (production) {
    const outDir = join(WASM_DIR, 'check-site');
    await build({
      root,
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, rolldownOptions: { input: html } },
    });
    server = await preview({
      root,
      logLevel: 'warn',
      build: { outDir },
      preview: { port: PORT, strictPort: true, host: '127.0.0.1' },
    });
  } else {
    server = await createServer({
      root,
      logLevel: 'warn',
      server: { port: PORT, strictPort: true, host: '127.0.0.1' },
    });
    await server.listen();
  }
  const browser = await chromium.launch({ executablePath: findChromium(), args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    page.on('pageerror', (e) => log(`[page] ${e.message}`));
    page.on('response', (r) => r.status() >= 400 && log(`[HTTP ${r.status()}] ${r.url()}`));
    await page.goto(`http://127.0.0.1:${PORT}${pagePath}`);
    await page.waitForFunction(() => 'runKernelCheck' in globalThis, null, { timeout: 60_000 });
    const report = await page.evaluate(([j, n]) => globalThis.runKernelCheck(j, n), [json, runs]);
    if (report.error) throw new Error(report.error);
    return {
      ...report,
      runs,
      chromium: browser.version(),
      build: production ? 'vite build' : 'vite dev',
    };
  } finally {
    await browser.close();
    await (server.close?.() ?? server.httpServer?.close());
  }
}

/** The reference a timing row is compared with: its sparsity's tfjs predict, else the teacher's. */
function baseOf(rows, row) {
  const sparse = row.what.match(/^(\d+)% sparse/);
  return sparse
    ? rows.find((b) => b.what === `${sparse[1]}% sparse: tfjs-wasm fp32 predict`)
    : rows.find((b) => b.what.startsWith('tfjs-wasm fp32 predict (teacher)'));
}

/** The teacher's own fastest path in the same run: the f32 engine end to end (the app's choice). */
function teacherEngineOf(rows) {
  return rows.find((b) => b.what === 'end-to-end predict: teacher on the f32 engine');
}

/** Markdown tables of a report: exactness, then timings per batch with ratios from this run. */
export function engineMarkdown(report) {
  const exact = report.exactness.filter((r) => r.exact).length;
  const lines = [
    `**Our wasm engine in Chromium ${report.chromium}** (${report.build}; relaxed self-test: ` +
      `${report.selfTest ?? 'passed'}; chosen: ${report.chosen.path ?? JSON.stringify(report.chosen)}; ` +
      `bit-exact with the JS integer reference in ${exact} of ${report.exactness.length} runs; ` +
      `median of ${report.runs}, the lower of two passes; tfjs-wasm threads: ${report.timings.threads}):`,
    '',
    '| batch | what | ms | vs tfjs-wasm | vs teacher on our f32 engine |',
    '| --- | --- | --- | --- | --- |',
  ];
  for (const batch of [1, 32]) {
    const rows = report.timings.rows.filter((r) => r.batch === batch);
    const teacher = teacherEngineOf(rows);
    for (const r of rows) {
      const base = baseOf(rows, r);
      const vsBase = base ? `${(base.ms / r.ms).toFixed(2)}×` : '—';
      const fair = teacher && !/sparse/.test(r.what) ? `${(teacher.ms / r.ms).toFixed(2)}×` : '—';
      lines.push(`| ${batch} | ${r.what} | ${r.ms.toFixed(3)} | ${vsBase} | ${fair} |`);
    }
  }
  return lines.join('\n');
}

async function main() {
  const production = process.argv.includes('--build');
  const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 30);
  const report = await runEngineCheck({ production, runs, log: (l) => console.error(l) });
  console.log(
    `Chromium ${report.chromium} (${report.build}), worker crossOriginIsolated=${report.crossOriginIsolated}`,
  );
  console.log(
    `detectSimd: ${JSON.stringify(report.simd)}; relaxed self-test: ${report.selfTest ?? 'passed'}`,
  );
  console.log(`loadEngine(): ${JSON.stringify(report.chosen)}`);
  const bad = report.exactness.filter((r) => !r.exact);
  console.log(
    `bit-exact: ${report.exactness.length - bad.length} / ${report.exactness.length} runs`,
  );
  for (const r of report.exactness) {
    console.log(
      `  ${r.exact ? 'exact   ' : 'MISMATCH'} ${r.name} batch ${r.batch} ${r.module} ${r.kernel} [${r.kernels}]`,
    );
  }
  if (typeof report.wgsl === 'string') console.log(`WGSL int8 path: not run (${report.wgsl})`);
  else {
    const run = report.wgsl.filter((r) => !r.skipped);
    const exactRuns = run.filter((r) => r.exact).length;
    console.log(`WGSL int8 path: bit-exact ${exactRuns} / ${run.length} runs`);
    for (const r of report.wgsl) {
      const state = r.skipped ? `skipped (${r.skipped})` : r.exact ? 'exact   ' : 'MISMATCH';
      console.log(`  ${state} ${r.name} batch ${r.batch}, input: ${r.input}`);
    }
  }
  if (report.timings) console.log(`\n${engineMarkdown(report)}`);
  else console.log('\n(no timings: exactness only)');
  process.exitCode = bad.length > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
