// `npm run bench` (not part of `npm test`): builds the bench page (bench.html → src/bench/, kept
// out of the app's dist), serves it cross-origin isolated on port 4190, drives headless Chromium
// through it, prints the Markdown table and writes bench-results/bench.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PORT = 4190;
const resultsDir = join(root, 'bench-results');
const siteDir = join(resultsDir, 'site');
/** The page boxes each backend itself (≈ 4 min in all); this only catches a hung page. */
const PAGE_TIMEOUT_MS = 330_000;

// Same lookup as e2e/chromium.ts (a TS file this plain script cannot import): keep them in step.
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
function findChromium() {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) {
    if (existsSync(fromEnv)) return fromEnv;
    throw new Error(`CHROMIUM_PATH is set to ${fromEnv}, but no file is there.`);
  }
  const system = CANDIDATES.find((p) => existsSync(p));
  if (system) return system;
  try {
    const bundled = chromium.executablePath();
    if (bundled && existsSync(bundled)) return bundled;
  } catch {
    // Playwright has no browser of its own here: fall through to the message.
  }
  throw new Error(
    'No Chromium found for the bench. Install one (Debian/Ubuntu: `sudo apt-get install chromium`), ' +
      'or set CHROMIUM_PATH to a Chromium or Chrome binary, or run `npx playwright install chromium`.',
  );
}
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
];

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
      rolldownOptions: { input: { bench: join(root, 'bench.html') } },
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
  const executablePath = findChromium();
  console.log('Building the bench page…');
  await buildBenchPage();
  const buildMs = Date.now() - started;
  console.log(`Built in ${seconds(buildMs)}; serving on port ${PORT}.`);
  const server = await preview({
    root,
    logLevel: 'warn',
    build: { outDir: siteDir },
    preview: { port: PORT, strictPort: true, host: '127.0.0.1', open: false },
  });
  let browser = null;
  try {
    browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS, headless: true });
    const chromiumVersion = browser.version();
    console.log(`Chromium ${chromiumVersion} (${executablePath}); running the bench…`);
    const loadBefore = loadavg()[0];
    const results = await runPage(browser);
    // Other processes on a small machine slow some runs down: say how busy it was.
    const load = { before: loadBefore, after: loadavg()[0], cores: availableParallelism() };
    const report = { ...results, chromiumVersion, node: process.version, buildMs, load };
    mkdirSync(resultsDir, { recursive: true });
    writeFileSync(join(resultsDir, 'bench.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\n${results.markdown}\n`);
    console.log(`Chromium ${chromiumVersion}. Wrote bench-results/bench.json.`);
    const loads = `${load.before.toFixed(1)} → ${load.after.toFixed(1)}`;
    console.log(`1-min load average ${loads} on ${load.cores} cores.`);
    if (Math.max(load.before, load.after) > load.cores / 2) {
      console.log('The machine was busy with other work: expect noisy numbers; rerun when idle.');
    }
    console.log(`Whole bench: ${seconds(Date.now() - started)}.`);
    const headline = results.backends.find((b) => b.target.label === 'wasm + kernels');
    if (!headline?.throughput?.ok) {
      throw new Error('wasm + kernels produced no training throughput (see the table above).');
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
