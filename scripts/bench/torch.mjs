// Training throughput of the same reference CNN in PyTorch on this CPU (issue 16's yardstick),
// when a Python with torch is found: $PYTHON, then Debian's /usr/bin/python3, then python3.
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const script = join(dirname(fileURLToPath(import.meta.url)), 'torch-throughput.py');

function pythonWithTorch() {
  const candidates = [process.env.PYTHON, '/usr/bin/python3', 'python3'].filter(Boolean);
  for (const python of candidates) {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
      return python;
    } catch {
      // not this one
    }
  }
  return null;
}

/** { ok, value: { samplesPerSec, steps, msPerStep, threads, torch } } or { ok: false, reason }. */
export function torchThroughput(batch = 128, seconds = 10) {
  const python = pythonWithTorch();
  if (!python)
    return { ok: false, reason: 'skipped: no Python with torch (apt install python3-torch)' };
  try {
    const out = execFileSync(python, [script, String(batch), String(seconds)], {
      encoding: 'utf8',
      timeout: 180_000,
    });
    return { ok: true, value: { python, ...JSON.parse(out.trim().split('\n').pop()) } };
  } catch (error) {
    return { ok: false, reason: `failed: ${error instanceof Error ? error.message : error}` };
  }
}

const throughputOf = (backends, label) =>
  backends?.find((b) => b.target.label === label)?.throughput;

/** The comparison table: our fused wasm training against PyTorch and against the figure before. */
export function torchMarkdown(torch, backends) {
  const fused = throughputOf(backends, 'wasm + fused kernels');
  const before = throughputOf(backends, 'wasm + kernels');
  const sps = (t) =>
    t?.ok
      ? `${Math.round(t.value.samplesPerSec).toLocaleString('en-US')} samples/s`
      : (t?.reason ?? 'not run');
  const ratio = (a, b) =>
    a?.ok && b?.ok ? `${(a.value.samplesPerSec / b.value.samplesPerSec).toFixed(2)}×` : '—';
  const torchCell = torch.ok
    ? `${Math.round(torch.value.samplesPerSec).toLocaleString('en-US')} samples/s (torch ${torch.value.torch}, ${torch.value.threads} threads, ${torch.value.steps} steps)`
    : torch.reason;
  return [
    'Training throughput against PyTorch, reference CNN, batch 128, Adam, measured in this run:',
    '',
    '| Trainer | Throughput | fused wasm / this |',
    '| --- | --- | --- |',
    `| wasm + fused kernels (the app) | ${sps(fused)} | 1.00× |`,
    `| wasm + kernels (before the fused kernels) | ${sps(before)} | ${ratio(fused, before)} (target ≥ 1.4×) |`,
    `| PyTorch CPU | ${torchCell} | ${torch.ok ? ratio(fused, { ok: true, value: torch.value }) : '—'} (target ≥ 1.0×) |`,
  ].join('\n');
}
