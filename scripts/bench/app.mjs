import { readFileSync } from 'node:fs';
// The app part of `npm run bench`: drives the built app through its automation contract
// (preset-select, run-all, result rows) and the `window.playground` hook, in headless Chromium.
//  - seed-table: wall time, main-thread long tasks (PerformanceObserver 'longtask') while it runs,
//    and the worker's tf.memory().numTensors before, after, and after freeing the models.
//  - quality: imports scripts/bench/quality-experiment.json and runs it (the issues' quality
//    targets: pruning at 50/90 %, QAT w4a8, PTQ, low-rank, with fine-tune controls); the newer
//    techniques' file the same way; mixed precision through its panel (scan, budget, apply).

const RUN_TIMEOUT_MS = 20 * 60_000;
const LONG_TASK_MS = 50;
/** How long after the run the page is watched while it draws the result charts. */
const AFTER_RUN_MS = 5_000;

/**
 * Registered before any page script: every long task of the page, as start and duration in two
 * arrays of plain doubles (no object per task: the soak reads the page's heap, and must not count
 * its own records as the app's growth).
 */
function observeLongTasks() {
  window.__longTaskStarts = [];
  window.__longTaskDurations = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      window.__longTaskStarts.push(e.startTime);
      window.__longTaskDurations.push(e.duration);
    }
  }).observe({ type: 'longtask', buffered: true });
}

/** The page's long tasks so far, as { start, duration } objects here in Node. */
const longTasksOf = (page) =>
  page.evaluate(() =>
    window.__longTaskStarts.map((start, i) => ({
      start,
      duration: window.__longTaskDurations[i],
    })),
  );

async function openApp(browser, baseUrl, log) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.addInitScript(observeLongTasks);
  page.on('pageerror', (error) => log(`[page exception] ${error.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') log(`[page error] ${m.text()}`);
  });
  await page.goto(`${baseUrl}/`);
  await page.waitForSelector('[data-testid="backend-badge"][data-backend]', { timeout: 120_000 });
  return { context, page };
}

async function waitForDataset(page, id) {
  await page.waitForFunction(
    (want) => {
      const s = window.playground.store.getState();
      return s.dataset.status === 'ready' && s.dataset.info?.id === want;
    },
    id,
    { timeout: 300_000, polling: 250 },
  );
}

/** Clicks run-all and waits until the run ends; returns page-clock start/end (ms). */
async function runAll(page, log) {
  // The end is the moment the store says the run is over, not when polling notices it.
  const start = await page.evaluate(() => {
    window.__runEnd = null;
    window.playground.store.subscribe((s) => {
      const over = ['done', 'error', 'cancelled'].includes(s.run.status);
      if (over && window.__runEnd === null) window.__runEnd = performance.now();
    });
    return performance.now();
  });
  await page.getByTestId('run-all').click();
  let lastLine = '';
  const t0 = Date.now();
  const timer = setInterval(async () => {
    try {
      const line = await page.evaluate(() => {
        const s = window.playground.store.getState();
        const running = Object.entries(s.variantRuns).find(([, r]) => r.status === 'running');
        return running
          ? `variant ${running[0]}: ${running[1].message}`
          : `teacher (${s.run.status})`;
      });
      if (line !== lastLine) log(`${((Date.now() - t0) / 1000).toFixed(0)} s: ${line}`);
      lastLine = line;
    } catch {
      // The page is busy or gone: the wait below reports it.
    }
  }, 10_000);
  try {
    await page.waitForFunction(
      () => ['done', 'error', 'cancelled'].includes(window.playground.store.getState().run.status),
      null,
      { timeout: RUN_TIMEOUT_MS, polling: 500 },
    );
  } finally {
    clearInterval(timer);
  }
  const end = await page.evaluate(() => window.__runEnd ?? performance.now());
  const status = await page.evaluate(() => {
    const s = window.playground.store.getState();
    return { status: s.run.status, error: s.run.error };
  });
  if (status.status !== 'done') throw new Error(`the run ended ${status.status}: ${status.error}`);
  return { start, end };
}

/** Teacher and variant measurements as the store holds them, plus the DOM's row count. */
async function readResults(page) {
  return page.evaluate(() => {
    const s = window.playground.store.getState();
    const pick = (m, name) => ({
      variant: name ?? m.variant,
      accuracy: m.accuracy,
      sizeBytes: m.sizeBytes,
      params: m.params,
      effectiveMacs: m.effectiveMacs,
      latencyB1MedianMs: m.latencyB1MedianMs,
      latencyB32MedianMs: m.latencyB32MedianMs,
      pairedTeacherB1MedianMs: m.pairedTeacherB1MedianMs ?? null,
      pairedTeacherB32MedianMs: m.pairedTeacherB32MedianMs ?? null,
      note: m.note,
    });
    return {
      backend: s.backend.info?.active ?? null,
      teacher: s.teacher ? pick(s.teacher.measurement, 'teacher (fp32)') : null,
      variants: s.results.map((m) => {
        // The Δ against the variant's fp32 control, as the table row shows it.
        const row = [...document.querySelectorAll('[data-testid="result-row"]')].find(
          (r) => r.getAttribute('data-variant') === m.variant,
        );
        const vs = row?.getAttribute('data-vs-control-points') ?? '';
        return { ...pick(m), vsControlPoints: vs === '' ? null : Number(vs) };
      }),
      domRows: document.querySelectorAll('[data-testid="result-row"]').length,
    };
  });
}

const memory = (page) => page.evaluate(() => window.playground.engine().memory());

/** The seed-table preset at its default size, watched for long tasks and leaked tensors. */
export async function benchSeedTable(browser, baseUrl, log) {
  const { context, page } = await openApp(browser, baseUrl, log);
  try {
    await page.getByTestId('preset-select').selectOption('seed-table');
    await waitForDataset(page, 'mnist');
    const tensorsBefore = await memory(page);
    log('seed-table: running…');
    const wallStart = Date.now();
    const window_ = await runAll(page, log);
    const wallMs = Date.now() - wallStart;
    // The charts are drawn once the run is over: watch that too, reported apart.
    await page.waitForTimeout(AFTER_RUN_MS);
    const tensorsAfterRun = await memory(page);
    await page.evaluate(() => window.playground.engine().releaseModels());
    const tensorsAfterRelease = await memory(page);
    const allLongTasks = await longTasksOf(page);
    const longTasks = allLongTasks.filter(
      (t) => t.start >= window_.start && t.start <= window_.end,
    );
    const afterRun = allLongTasks.filter(
      (t) => t.start > window_.end && t.start <= window_.end + AFTER_RUN_MS,
    );
    const results = await readResults(page);
    return {
      wallMs,
      runMs: window_.end - window_.start,
      longTasks,
      longTasksOver50: longTasks.filter((t) => t.duration > LONG_TASK_MS).length,
      maxLongTaskMs: longTasks.reduce((m, t) => Math.max(m, t.duration), 0),
      afterRunLongTasks: afterRun,
      tensors: {
        before: tensorsBefore.numTensors,
        afterRun: tensorsAfterRun.numTensors,
        afterRelease: tensorsAfterRelease.numTensors,
      },
      ...results,
    };
  } finally {
    await context.close();
  }
}

/** Imports the quality experiment file and runs it end to end. */
/**
 * Imports the experiment file `file` through the page's import button and waits until the store
 * holds it; throws with the page's notices when the app refused it (a bench must never measure
 * the default experiment instead).
 */
async function importExperiment(page, file) {
  const { experiment } = JSON.parse(readFileSync(file, 'utf8'));
  await page.getByTestId('import-experiment').setInputFiles(file);
  const took = await page
    .waitForFunction(
      (name) => window.playground.store.getState().experiment.name === name,
      experiment.name,
      { timeout: 10_000, polling: 100 },
    )
    .then(() => true)
    .catch(() => false);
  if (!took) {
    const notices = await page.getByTestId('notice').allTextContents();
    throw new Error(`The app did not import ${file}: ${notices.join(' | ') || 'no notice'}`);
  }
}

export async function benchQuality(browser, baseUrl, file, log) {
  const { context, page } = await openApp(browser, baseUrl, log);
  try {
    await importExperiment(page, file);
    await waitForDataset(page, 'mnist');
    log('quality: running…');
    const wallStart = Date.now();
    await runAll(page, log);
    const wallMs = Date.now() - wallStart;
    return { wallMs, ...(await readResults(page)) };
  } finally {
    await context.close();
  }
}

/**
 * Mixed precision against uniform weights at the same size: imports `file` (a teacher and a
 * uniform weight-only PTQ variant `uniformId`), runs it, runs the quantization scan, sets the
 * size budget to the uniform variant's share of the fp32 bytes, adds the allocation as a variant
 * and runs again. Returns the final rows and the bits chosen per layer.
 */
export async function benchMixedPrecision(browser, baseUrl, file, datasetId, uniformName, log) {
  const { context, page } = await openApp(browser, baseUrl, log);
  try {
    await importExperiment(page, file);
    await waitForDataset(page, datasetId);
    log(`mixed precision (${datasetId}): training the teacher and the uniform variant…`);
    const wallStart = Date.now();
    await runAll(page, log);
    const first = await readResults(page);
    const uniform = first.variants.find((v) => v.variant === uniformName);
    if (!uniform || !first.teacher) throw new Error(`No "${uniformName}" row to match.`);
    // Full precision: the panel rounds the budget back to exactly the uniform variant's bytes.
    const percent = (100 * uniform.sizeBytes) / first.teacher.sizeBytes;
    log(`mixed precision (${datasetId}): quantization scan…`);
    const panel = page.getByTestId('mixed-precision-panel');
    await panel.getByTestId('quant-scan-run').click();
    await panel.getByTestId('chart-quant-sensitivity').waitFor({ timeout: RUN_TIMEOUT_MS });
    await panel.getByTestId('mixed-budget').fill(String(percent));
    await panel.getByTestId('mixed-budget').blur();
    const bits = await panel
      .getByTestId('mixed-allocation-row')
      .evaluateAll((rows) =>
        rows.map(
          (r) =>
            `${r.getAttribute('data-layer')} ${r.querySelector('[data-testid=mixed-bits]')?.textContent}`,
        ),
      );
    await panel.getByTestId('mixed-apply').click();
    log(
      `mixed precision (${datasetId}): ${bits.join(', ')} within ${percent.toFixed(2)}%; running it…`,
    );
    await runAll(page, log);
    const wallMs = Date.now() - wallStart;
    return { wallMs, budgetPercent: percent, bits, ...(await readResults(page)) };
  } finally {
    await context.close();
  }
}

/** mulberry32: the soak's seeded waits, the same every run. */
function seeded(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The worker's tf.memory(), retried while a fresh worker is still starting its backend. */
async function memoryWhenReady(page) {
  for (let i = 0; ; i++) {
    try {
      return await memory(page);
    } catch (error) {
      if (i >= 120) throw error;
      await page.waitForTimeout(500);
    }
  }
}

/**
 * Main-thread JS heap at rest: after 3 s idle (the result charts mount one per task after a run),
 * the least of three readings 1 s apart, each after a forced garbage collection (`used`, bytes);
 * then one heap snapshot split into V8's compiled code (node type 'code': bytecode, optimized
 * machine code, feedback — it grows as the JIT warms up) and everything else, the page's objects.
 */
async function heapAfterGc(page) {
  await page.waitForTimeout(3000);
  const cdp = await page.context().newCDPSession(page);
  try {
    let least = Infinity;
    for (let i = 0; i < 3; i++) {
      await cdp.send('HeapProfiler.collectGarbage');
      const { usedSize } = await cdp.send('Runtime.getHeapUsage');
      least = Math.min(least, usedSize);
      await page.waitForTimeout(1000);
    }
    return { used: least, ...(await heapByKind(cdp)) };
  } finally {
    await cdp.detach();
  }
}

/**
 * Bytes of a heap snapshot by kind: code = Σ self_size of 'code' nodes, objects = the rest; and
 * `kinds`, the objects' bytes and counts per constructor ('object', 'closure', 'native' nodes by
 * name; other node types, strings among them, by type alone).
 */
async function heapByKind(cdp) {
  const chunks = [];
  const onChunk = ({ chunk }) => chunks.push(chunk);
  cdp.on('HeapProfiler.addHeapSnapshotChunk', onChunk);
  await cdp.send('HeapProfiler.enable');
  await cdp.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  cdp.off('HeapProfiler.addHeapSnapshotChunk', onChunk);
  const snapshot = JSON.parse(chunks.join(''));
  const { node_fields: fields, node_types: nodeTypes } = snapshot.snapshot.meta;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const typeNames = nodeTypes[0];
  const codeType = typeNames.indexOf('code');
  const named = new Set(['object', 'closure', 'native'].map((t) => typeNames.indexOf(t)));
  let code = 0;
  let objects = 0;
  const kinds = new Map();
  const nodes = snapshot.nodes;
  for (let i = 0; i < nodes.length; i += fields.length) {
    const type = nodes[i + typeAt];
    const size = nodes[i + sizeAt];
    if (type === codeType) {
      code += size;
      continue;
    }
    objects += size;
    const key = named.has(type)
      ? `${typeNames[type]} ${snapshot.strings[nodes[i + nameAt]]}`
      : `(${typeNames[type]})`;
    const kind = kinds.get(key) ?? { bytes: 0, count: 0 };
    kind.bytes += size;
    kind.count += 1;
    kinds.set(key, kind);
  }
  return { code, objects, kinds };
}

/** The `top` kinds whose bytes grew most from `start` to `end` (bytes and counts as end − start). */
function largestGrowth(start, end, top = 8) {
  return [...end.entries()]
    .map(([what, e]) => {
      const s = start.get(what) ?? { bytes: 0, count: 0 };
      return { what, bytes: e.bytes - s.bytes, count: e.count - s.count };
    })
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/**
 * The soak: `runs` Run alls of the tiny preset on wasm, each with a new seed and cancelled after a
 * seeded random wait (some run to the end); then the experiment is replaced and the models freed.
 * Reports worker tensors and main-thread heap at the start and the end, uncaught errors and the
 * longest main-thread task.
 */
export async function benchSoak(browser, baseUrl, log, runs = 100) {
  const CHECKPOINT_RUNS = 50;
  const WARMUP_RUNS = 50;
  const { context, page } = await openApp(browser, baseUrl, log);
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.getByTestId('preset-select').selectOption('tiny-pipeline');
    await waitForDataset(page, 'moons');
    await memoryWhenReady(page);
    // The backend the app chose for this browser (the badge says which).
    const backend = await page.getAttribute('[data-testid="backend-badge"]', 'data-backend');
    const heapCold = await heapAfterGc(page);
    const random = seeded(18_002);
    const outcomes = { done: 0, cancelled: 0, error: 0 };
    /** One Run all with a new seed, cancelled after a seeded wait (one in five runs to the end). */
    const soakRun = async (seed) => {
      await page.evaluate((s) => {
        const store = window.playground.store;
        store.setState((state) => ({ experiment: { ...state.experiment, seed: s } }));
      }, seed);
      await page.getByTestId('run-all').click();
      // Cancel after 0–0.8 s (a tiny run takes about a second).
      const wait = random() < 0.2 ? null : Math.floor(random() * 800);
      if (wait !== null) {
        await page.waitForTimeout(wait);
        // The run may end (and the button go) between the check and the click.
        const cancel = page.getByTestId('cancel');
        if (await cancel.isVisible()) await cancel.click({ timeout: 2000 }).catch(() => {});
      }
      await page.waitForFunction(
        () =>
          ['done', 'error', 'cancelled'].includes(window.playground.store.getState().run.status),
        null,
        { timeout: RUN_TIMEOUT_MS, polling: 100 },
      );
      return page.evaluate(() => window.playground.store.getState().run.status);
    };
    // The warm-up runs load the lazy code, let the JIT settle and fill the bounded buffers (the
    // performance timeline, recharts' selector tables, the label-measuring canvas): a 200-run
    // soak of 2026-12-07 read the page's objects flat from run 50 on. The baseline is after them.
    for (let i = 0; i < WARMUP_RUNS; i++) await soakRun(500 + i);
    // Start and end are read in the same state (the other preset, models freed): read in two
    // different states, the heaps differed by what each state's page shows, not by a leak.
    const leaveAndFree = async () => {
      await page.getByTestId('preset-select').selectOption('moons-tiny');
      await page.evaluate(() => window.playground.engine().releaseModels());
    };
    await leaveAndFree();
    const tensorsStart = (await memoryWhenReady(page)).numTensors;
    const heapStart = await heapAfterGc(page);
    await page.getByTestId('preset-select').selectOption('tiny-pipeline');
    const started = Date.now();
    /** Heap readings every CHECKPOINT_RUNS runs, in the same replaced state: does it keep growing? */
    const checkpoints = [];
    let pausedMs = 0;
    for (let i = 0; i < runs; i++) {
      const status = await soakRun(1000 + i);
      outcomes[status] = (outcomes[status] ?? 0) + 1;
      if ((i + 1) % 10 === 0) log(`soak: ${i + 1} of ${runs} runs (${JSON.stringify(outcomes)})`);
      if ((i + 1) % CHECKPOINT_RUNS === 0 && i + 1 < runs) {
        const paused = Date.now();
        await leaveAndFree();
        const heap = await heapAfterGc(page);
        delete heap.kinds;
        checkpoints.push({ afterRuns: i + 1, heap });
        await page.getByTestId('preset-select').selectOption('tiny-pipeline');
        pausedMs += Date.now() - paused;
      }
    }
    const wallMs = Date.now() - started - pausedMs;
    // Replace the experiment, as a user moving on would, and free what the last run kept.
    await leaveAndFree();
    const tensorsEnd = (await memoryWhenReady(page)).numTensors;
    const heapEnd = await heapAfterGc(page);
    const longest = (await longTasksOf(page)).reduce((m, t) => Math.max(m, t.duration), 0);
    const growth = largestGrowth(heapStart.kinds, heapEnd.kinds);
    for (const heap of [heapCold, heapStart, heapEnd]) delete heap.kinds;
    return {
      runs,
      warmupRuns: WARMUP_RUNS,
      backend,
      heapCold,
      wallMs,
      outcomes,
      tensorsStart,
      tensorsEnd,
      heapStart,
      heapEnd,
      checkpoints,
      growth,
      longest,
      errors,
    };
  } finally {
    await context.close();
  }
}

/** Markdown rows of the soak. */
export function soakMarkdown(soak) {
  const mb = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const signedKb = (b) => `${b >= 0 ? '+' : '−'}${Math.abs(b / 1024).toFixed(0)} KiB`;
  const kinds = (list) =>
    list
      .map((g) => `${g.what}: ${signedKb(g.bytes)}, ${g.count >= 0 ? '+' : ''}${g.count}`)
      .join('; ');
  return [
    '| measure | result |',
    '| --- | --- |',
    `| Run alls on ${soak.backend} (new seed each, cancelled at a random moment) | ${soak.runs}: ${soak.outcomes.done} done, ${soak.outcomes.cancelled} cancelled, ${soak.outcomes.error} errors; ${(soak.wallMs / 1000).toFixed(0)} s |`,
    `| worker tensors: start / end (experiment replaced, models freed) | ${soak.tensorsStart} / ${soak.tensorsEnd} |`,
    `| main-thread heap at rest (least of 3 after GC): start (after ${soak.warmupRuns ?? 10} warm-up runs) / end | ${mb(soak.heapStart.used)} / ${mb(soak.heapEnd.used)} (cold page: ${mb(soak.heapCold.used)}) |`,
    `| of which the page's objects (heap snapshot, all but V8's compiled code): start / end | ${mb(soak.heapStart.objects)} / ${mb(soak.heapEnd.objects)} (${signedKb(soak.heapEnd.objects - soak.heapStart.objects)}) |`,
    `| of which V8's compiled code (bytecode, optimized code: JIT warm-up): start / end | ${mb(soak.heapStart.code)} / ${mb(soak.heapEnd.code)} (${signedKb(soak.heapEnd.code - soak.heapStart.code)}) |`,
    `| largest growth in the page's objects, by constructor (bytes, count) | ${kinds(soak.growth)} |`,
    `| uncaught errors | ${soak.errors.length} |`,
    `| longest main-thread task | ${soak.longest.toFixed(0)} ms |`,
    '',
    "| after run | heap used | page's objects | V8 code |",
    '| --- | --- | --- | --- |',
    ...[
      { afterRuns: 0, heap: soak.heapStart },
      ...(soak.checkpoints ?? []),
      { afterRuns: soak.runs, heap: soak.heapEnd },
    ].map(
      ({ afterRuns, heap }) =>
        `| ${afterRuns} | ${mb(heap.used)} | ${mb(heap.objects)} | ${mb(heap.code)} |`,
    ),
  ].join('\n');
}

const pct = (x) => `${(100 * x).toFixed(1)} %`;
const ms = (x) => (x === null || x === undefined ? '—' : `${x.toFixed(2)} ms`);
const bytes = (n) => n.toLocaleString('en-US');

/** Markdown table of a run's rows: accuracy, change, bytes (share of fp32), latencies. */
export function resultsMarkdown({ teacher, variants }) {
  const lines = [
    '| variant | accuracy | Δ points | Δ vs control | stored bytes | params | batch-1 / batch-32 latency | speedup b1 / b32 | timed on |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const row of [teacher, ...variants]) {
    if (!row) continue;
    const delta = row === teacher ? '—' : (100 * (row.accuracy - teacher.accuracy)).toFixed(1);
    const share = row === teacher ? '' : ` (${pct(row.sizeBytes / teacher.sizeBytes)})`;
    const latency = `${ms(row.latencyB1MedianMs)} / ${ms(row.latencyB32MedianMs)}`;
    const speed = (t, v) => (t && v ? `${(t / v).toFixed(2)}×` : '—');
    // Against the teacher timed in alternation with the row where it was, as the app's table.
    const t1 = row.pairedTeacherB1MedianMs ?? teacher.latencyB1MedianMs;
    const t32 = row.pairedTeacherB32MedianMs ?? teacher.latencyB32MedianMs;
    const speedup = `${speed(t1, row.latencyB1MedianMs)} / ${speed(t32, row.latencyB32MedianMs)}`;
    const path = /Timed on: ([^;]*)/.exec(row.note)?.[1] ?? '—';
    const vs = row.vsControlPoints == null ? '—' : row.vsControlPoints.toFixed(1);
    const cells = [row.variant, pct(row.accuracy), delta, vs, bytes(row.sizeBytes) + share];
    lines.push(`| ${[...cells, bytes(row.params), latency, speedup, path].join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Markdown lines for the seed-table run's wall time, long tasks and tensor counts. */
export function seedTableMarkdown(run) {
  const t = run.tensors;
  return [
    `| measure | result |`,
    `| --- | --- |`,
    `| wall time (Run all → done), backend ${run.backend} | ${(run.wallMs / 1000).toFixed(1)} s |`,
    `| main-thread long tasks over 50 ms while it ran | ${run.longTasksOver50} (longest ${run.maxLongTaskMs.toFixed(0)} ms) |`,
    `| long tasks in the ${AFTER_RUN_MS / 1000} s after, while the result charts are drawn | ${describeTasks(run.afterRunLongTasks)} |`,
    `| worker tensors: before / after the run (models kept for the views) / after freeing them | ${t.before} / ${t.afterRun} / ${t.afterRelease} |`,
    `| result rows in the table | ${run.domRows} |`,
  ].join('\n');
}

/** "3 (120, 80, 60 ms)" or "0". */
function describeTasks(tasks) {
  if (tasks.length === 0) return '0';
  return `${tasks.length} (${tasks.map((t) => t.duration.toFixed(0)).join(', ')} ms)`;
}

/**
 * A first visit with an empty cache (a fresh context): bytes over the wire by kind, and the time
 * until the default experiment's data and engine are ready.
 */
export async function benchFirstLoad(browser, baseUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const bytes = { data: 0, wasm: 0, script: 0, other: 0 };
  let requests = 0;
  const pending = [];
  // The page's and its workers' requests; sizes are the bytes on the wire (gzip counts as sent).
  page.on('requestfinished', (request) => {
    pending.push(
      request.sizes().then((sizes) => {
        const url = request.url();
        const kind = /\/data\//.test(url)
          ? 'data'
          : /\.wasm(\?|$)/.test(url)
            ? 'wasm'
            : /\.(m?js|ts)(\?|$)/.test(url)
              ? 'script'
              : 'other';
        bytes[kind] += sizes.responseBodySize + sizes.responseHeadersSize;
        requests++;
      }),
    );
  });
  const t0 = Date.now();
  try {
    await page.goto(`${baseUrl}/`);
    await page.waitForSelector('[data-testid="backend-badge"][data-backend]', { timeout: 120_000 });
    const dataset = await page.evaluate(
      () => window.playground.store.getState().experiment.dataset.id,
    );
    await waitForDataset(page, dataset);
    const readyMs = Date.now() - t0;
    await Promise.all(pending);
    const total = Object.values(bytes).reduce((a, b) => a + b, 0);
    return { dataset, readyMs, bytes, total, requests };
  } finally {
    await context.close();
  }
}

/** Markdown lines for the first visit. */
export function firstLoadMarkdown(run) {
  const mb = (b) => `${(b / 1e6).toFixed(2)} MB`;
  return [
    `| first visit, empty cache (${run.dataset} default experiment) | result |`,
    `| --- | --- |`,
    `| time until the data and the engine are ready | ${(run.readyMs / 1000).toFixed(1)} s |`,
    `| bytes over the wire, total (${run.requests} requests) | ${mb(run.total)} |`,
    `| of which dataset / wasm / scripts / other | ${mb(run.bytes.data)} / ${mb(run.bytes.wasm)} / ${mb(run.bytes.script)} / ${mb(run.bytes.other)} |`,
  ].join('\n');
}
