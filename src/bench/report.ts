// The bench report as Markdown: pure, so it is unit-tested and the page needs no tfjs.
import type { BackendReport, BenchResults, Outcome } from './protocol';

/** Why a run failed, in a line: a missing kernel becomes "cannot train (missing <kernel>)". */
export function cannotTrainReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const missing = /Kernel '(\w+)' not registered/.exec(message);
  return missing ? `cannot train (missing ${missing[1]})` : `failed: ${message}`;
}

/** Steps per overhead run so each run lasts ≈ targetMs: steps = round(targetMs·sps / 1000 / batch), in [min, max]. */
export function stepsForDuration(
  samplesPerSec: number,
  batchSize: number,
  targetMs: number,
  limits: { min: number; max: number },
): number {
  const steps = Math.round((targetMs * samplesPerSec) / 1000 / batchSize);
  return Math.min(limits.max, Math.max(limits.min, Number.isFinite(steps) ? steps : limits.min));
}

/** Three significant digits, without exponent for the magnitudes we print (0.001 … 99,999). */
export function sig3(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  if (Math.abs(x) >= 100) return Math.round(x).toLocaleString('en-US');
  return Number(x.toPrecision(3)).toString();
}

const seconds = (ms: number) => `${sig3(ms / 1000)} s`;
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

type Row = [measure: string, backend: string, result: string, detail: string];

function outcomeRow<T>(
  measure: string,
  backend: string,
  outcome: Outcome<T> | undefined,
  format: (value: T) => [string, string],
): Row[] {
  if (!outcome) return [];
  const [result, detail] = outcome.ok ? format(outcome.value) : [outcome.reason, ''];
  return [[measure, backend, result, detail]];
}

function backendRows(report: BackendReport, batchSize: number): Row[] {
  const label = report.target.label;
  if (!report.start.ok) return [['Training throughput', label, report.start.reason, '']];
  const start = report.start.value;
  const threads =
    (start.wasmThreads !== undefined ? `; tfjs-wasm threads: ${start.wasmThreads}` : '') +
    (start.trainingKernels ? `; training: ${start.trainingKernels}` : '');
  return [
    ...outcomeRow('Training throughput', label, report.throughput, (t) => [
      `${sig3(t.samplesPerSec)} samples/s`,
      `${sig3(t.timedMs / t.steps)} ms/step over ${t.steps} step${t.steps === 1 ? '' : 's'} ` +
        `of ${batchSize}, ` +
        `after a ${seconds(t.warmupMs)} warm-up step${threads}`,
    ]),
    ...outcomeRow('App loop / bare tfjs loop', label, report.overhead, (o) => [
      `${o.ratio.toFixed(3)} (target ≤ 1.05)`,
      `median of ${o.pairRatios.length} back-to-back pairs of ${o.steps} steps ` +
        `(min/min ${o.minRatio.toFixed(3)}, Σ/Σ ${o.sumRatio.toFixed(3)}; app ${seconds(sum(o.appMs))}, ` +
        `bare ${seconds(sum(o.bareMs))}); ${o.messages} progress messages; ` +
        `${o.leakedTensors} leaked tensors`,
    ]),
    ...outcomeRow('Inference latency, batch 1', label, report.latency, (l) => [
      `${sig3(l.batch1MedianMs)} ms median`,
      `p90 ${sig3(l.batch1P90Ms)} ms (≥ 30 samples over ≥ 60 ms, after ≥ 30 ms of warm-ups); ` +
        `batch 32: ${sig3(l.batch32MedianMs)} ms median`,
    ]),
  ];
}

/** The whole report: a heading line, one table row per measure and backend, the long tasks. */
export function formatMarkdown(results: Omit<BenchResults, 'markdown'>): string {
  const rows: Row[] = results.backends.flatMap((b) => backendRows(b, results.batchSize));
  const lt = results.longTasks;
  rows.push([
    'Main-thread long tasks',
    'page',
    lt.observed ? `${lt.count}` : 'not observed',
    lt.observed
      ? `max ${sig3(lt.maxMs)} ms, total ${sig3(lt.totalMs)} ms over ${seconds(results.totalMs)}`
      : 'the long-task observer missed a deliberate 80 ms task: no count',
  ]);
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  const lines = [
    `Reference CNN (conv3×3·16 → pool → conv3×3·32 → pool → dense128 → dense10) on MNIST, ` +
      `batch ${results.batchSize}, Adam; headless Chromium, ${results.hardwareConcurrency} cores, ` +
      `cross-origin isolated: ${results.crossOriginIsolated ? 'yes' : 'no'}; ` +
      `wasm kernels: ${results.kernelsFunction}.`,
    '',
    '| Measure | Backend | Result | Detail |',
    '| --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ];
  return lines.join('\n');
}
