// `node scripts/check-engine-browser.mjs [--build] [runs]` (not part of `npm test`): runs the wasm
// engine in headless Chromium, inside a module worker served by Vite (dev server, or with
// --build a production build), the way the app will load it. Node builds the cases (integer
// models, inputs, JS-reference logits, src/engine/kernels/browser-check-cases.ts); the worker
// (browser-check.worker.ts) checks every kernel of both builds bit for bit, including the relaxed
// SIMD kernels Node 20 cannot run correctly, and times them against the tfjs-wasm teacher.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, createServer, preview, runnerImport } from 'vite';
import { buildWasm, WASM_DIR } from './build-wasm.mjs';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--build');
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 30);
const PORT = 4193;

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
  page.on('pageerror', (e) => console.error(`[page] ${e.message}`));
  page.on('response', (r) => r.status() >= 400 && console.error(`[HTTP ${r.status()}] ${r.url()}`));
  await page.goto(`http://127.0.0.1:${PORT}${pagePath}`);
  await page.waitForFunction(() => 'runKernelCheck' in globalThis, null, { timeout: 60_000 });
  const report = await page.evaluate(([j, n]) => globalThis.runKernelCheck(j, n), [json, runs]);
  if (report.error) throw new Error(report.error);
  console.log(
    `Chromium ${browser.version()} (${production ? 'vite build' : 'vite dev'}), worker crossOriginIsolated=${report.crossOriginIsolated}`,
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
  process.exitCode = bad.length > 0 ? 1 : 0;
  console.log(`timings (median of ${runs}; tfjs-wasm threads: ${report.timings.threads}):`);
  for (const batch of [1, 32]) {
    const rows = report.timings.rows.filter((r) => r.batch === batch);
    const teacher = rows.find((r) => r.what.startsWith('tfjs-wasm fp32 predict (teacher)'));
    for (const r of rows) {
      const sparse = r.what.match(/^(\d+)% sparse/);
      const base = sparse
        ? rows.find((b) => b.what === `${sparse[1]}% sparse: tfjs-wasm fp32 predict`)
        : teacher;
      const dense =
        sparse &&
        rows.find(
          (b) => b.what.startsWith(`${sparse[1]}% sparse: f32`) && b.what.endsWith('all dense'),
        );
      const vsDense = dense && dense !== r ? `, ${(dense.ms / r.ms).toFixed(2)}× vs f32 dense` : '';
      console.log(
        `  batch ${String(batch).padEnd(3)} ${r.what.padEnd(70)} ${r.ms.toFixed(3).padStart(8)} ms  ${(base.ms / r.ms).toFixed(2)}× vs tfjs-wasm${vsDense}`,
      );
    }
  }
} finally {
  await browser.close();
  await (server.close?.() ?? server.httpServer?.close());
}
