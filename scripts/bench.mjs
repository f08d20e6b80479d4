// `npm run bench` (not part of `npm test`): builds the bench page (bench.html → src/bench/) and
// the app into bench-results/site (kept out of the app's dist), serves them cross-origin isolated
// on port 4190, drives headless Chromium through the kernel bench (and PyTorch's training of
// the same CNN when torch is installed), our wasm engine check
// (check-engine-browser.mjs), a first visit with an empty cache, the seed-table preset and the
// quality runs (scripts/bench/app.mjs), prints Markdown tables, writes bench-results/bench.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { CHROMIUM_ARGS, findChromium } from './chromium.mjs';
import {
  benchFirstLoad,
  benchMixedPrecision,
  benchQuality,
  benchSoak,
  benchSeedTable,
  firstLoadMarkdown,
  resultsMarkdown,
  seedTableMarkdown,
  soakMarkdown,
} from './bench/app.mjs';
import { torchMarkdown, torchThroughput } from './bench/torch.mjs';
import { engineMarkdown, runEngineCheck } from './check-engine-browser.mjs';

/** `--skip-kernels`, `--skip-engine`, `--skip-first-load`, `--skip-seed-table`, `--skip-quality`, `--skip-techniques`, `--skip-mixed`, `--skip-soak` leave a part out. */
const skip = (part) => process.argv.includes(`--skip-${part}`);
/** `--soak-runs N`: Run alls in the soak (default 100). */
function soakRuns() {
  const at = process.argv.indexOf('--soak-runs');
  const n = at >= 0 ? Number(process.argv[at + 1]) : 100;
  if (!Number.isInteger(n) || n < 1) throw new Error('--soak-runs needs a whole number ≥ 1');
  return n;
}
const log = (line) => console.log(`  ${line}`);

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PORT = 4190;
const resultsDir = join(root, 'bench-results');
const siteDir = join(resultsDir, 'site');
/** The page boxes each backend itself (≈ 4 min in all); this only catches a hung page. */
const PAGE_TIMEOUT_MS = 330_000;

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

async function buildBenchPage() {
  // Same as the `prebuild` hook: MNIST must be in public/data (a no-op when it already is).
  execFileSync(process.execPath, [join(root, 'scripts', 'prepare-data.mjs')], { stdio: 'inherit' });
  await build({
    root,
    logLevel: 'warn',
    build: {
      outDir: siteDir,
      emptyOutDir: true,
      rolldownOptions: {
        input: { bench: join(root, 'bench.html'), index: join(root, 'index.html') },
      },
    },
  });
}

async function runPage(browser) {
  const page = await browser.newPage();
  page.on('console', (message) => {
    if (message.text().startsWith('[bench]')) console.log(`  ${message.text()}`);
    else if (message.type() === 'error') console.error(`  [page error] ${message.text()}`);
  });
  page.on('pageerror', (error) => console.error(`  [page exception] ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) console.error(`  [HTTP ${response.status()}] ${response.url()}`);
  });
  await page.goto(`http://127.0.0.1:${PORT}/bench.html`);
  await page.waitForFunction(() => window.benchResults || window.benchError, null, {
    timeout: PAGE_TIMEOUT_MS,
    polling: 500,
  });
  const { results, error } = await page.evaluate(() => ({
    results: window.benchResults ?? null,
    error: window.benchError ?? null,
  }));
  if (error) throw new Error(`the bench page failed: ${error}`);
  return results;
}

async function main() {
  const started = Date.now();
  // Taken before the build: the bench itself keeps every core busy once it runs.
  const loadBefore = loadavg()[0];
  const executablePath = findChromium();
  console.log('Building the bench page and the app…');
  await buildBenchPage();
  const buildMs = Date.now() - started;
  console.log(`Built in ${seconds(buildMs)}; serving on port ${PORT}.`);
  const server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir: siteDir },
    preview: { port: PORT, strictPort: true, host: '127.0.0.1', open: false },
  });
  const baseUrl = `http://127.0.0.1:${PORT}`;
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    const chromiumVersion = browser.version();
    console.log(`Chromium ${chromiumVersion} (${executablePath}).`);
    const report = { chromiumVersion, node: process.version, buildMs };
    const sections = [];
    if (!skip('kernels')) {
      console.log('Kernels and backends…');
      const results = await runPage(browser);
      Object.assign(report, results);
      sections.push(results.markdown);
      // The browser is idle meanwhile: PyTorch gets the same two cores the page had.
      console.log('The same training in PyTorch…');
      report.torch = torchThroughput();
      sections.push(torchMarkdown(report.torch, report.backends));
    }
    if (!skip('engine')) {
      // Our int8 / sparse wasm engine on its own page: relaxed and fixed SIMD, kernel-only and
      // end-to-end (tensor in, logits out), bit-exactness against the JS integer reference.
      await browser.close();
      browser = null;
      console.log('Our wasm engine (relaxed and fixed SIMD)…');
      report.engine = await runEngineCheck({ production: true, runs: 30, log });
      sections.push(engineMarkdown(report.engine));
      browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    }
    if (!skip('first-load')) {
      console.log('A first visit with an empty cache…');
      report.firstLoad = await benchFirstLoad(browser, baseUrl);
      sections.push(firstLoadMarkdown(report.firstLoad));
    }
    if (!skip('seed-table')) {
      console.log('The seed-table preset in the app…');
      report.seedTable = await benchSeedTable(browser, baseUrl, log);
      sections.push(seedTableMarkdown(report.seedTable), resultsMarkdown(report.seedTable));
    }
    if (!skip('quality')) {
      console.log('Quality runs in the app…');
      const file = join(root, 'scripts', 'bench', 'quality-experiment.json');
      report.quality = await benchQuality(browser, baseUrl, file, log);
      const wall = `Quality runs: ${seconds(report.quality.wallMs)} wall time, backend ${report.quality.backend}.`;
      sections.push(wall, resultsMarkdown(report.quality));
    }
    if (!skip('techniques')) {
      // The quality targets of the newer techniques (weight sharing …), on the same teacher.
      console.log('Quality runs of the newer techniques in the app…');
      const file = join(root, 'scripts', 'bench', 'quality-techniques.json');
      report.techniques = await benchQuality(browser, baseUrl, file, log);
      const wall = `Newer techniques: ${seconds(report.techniques.wallMs)} wall time, backend ${report.techniques.backend}.`;
      sections.push(wall, resultsMarkdown(report.techniques));
    }
    if (!skip('mixed')) {
      // Mixed precision against uniform 4-bit weights at the same size, on digits and clothes.
      report.mixed = [];
      for (const id of ['mnist', 'fashion']) {
        console.log(`Mixed precision on ${id}…`);
        const file = join(root, 'scripts', 'bench', `quality-mixed-${id}.json`);
        const run = await benchMixedPrecision(
          browser,
          baseUrl,
          file,
          id,
          'uniform w4 per-channel',
          log,
        );
        report.mixed.push({ dataset: id, ...run });
        const head = `Mixed precision, ${id}: budget ${run.budgetPercent.toFixed(2)}% of fp32 (the uniform 4-bit size), bits ${run.bits.join(', ')}; ${seconds(run.wallMs)} wall time.`;
        sections.push(head, resultsMarkdown(run));
      }
    }
    if (!skip('soak')) {
      console.log('Soak: Run all with random cancels…');
      report.soak = await benchSoak(browser, baseUrl, log, soakRuns());
      sections.push('Soak (tiny preset, wasm):', soakMarkdown(report.soak));
    }
    // Other processes on a small machine slow some runs down: say how busy it was.
    const load = { before: loadBefore, after: loadavg()[0], cores: availableParallelism() };
    report.load = load;
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\n${sections.join('\n\n')}\n`);
    console.log(`Chromium ${chromiumVersion}. Wrote bench-results/bench.json.`);
    const loads = `${load.before.toFixed(1)} → ${load.after.toFixed(1)}`;
    console.log(`1-min load average ${loads} on ${load.cores} cores.`);
    if (load.before > load.cores / 2) {
      console.log('The machine was busy before the bench: expect noisy numbers; rerun when idle.');
    }
    console.log(`Whole bench: ${seconds(Date.now() - started)}.`);
    const headline = report.backends?.find((b) => b.target.label === 'wasm + fused kernels');
    if (!skip('kernels') && !headline?.throughput?.ok) {
      throw new Error(
        'wasm + fused kernels produced no training throughput (see the table above).',
      );
    }
  } finally {
    await browser?.close();
    await server.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(`\nbench failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
