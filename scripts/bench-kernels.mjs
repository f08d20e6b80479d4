// `node scripts/bench-kernels.mjs [runs]` (not part of `npm test`): times our wasm engine against
// the JS integer reference and tfjs-wasm fp32 predict in Node, and prints ratios. The TypeScript
// measurements (src/engine/kernels/bench-kernels.ts) are loaded through Vite's module runner.
// Nothing is asserted: performance is read from one run's ratios, never from timed tests.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const runs = Number(process.argv[2] ?? 30);

const { module } = await runnerImport(join(root, 'src/engine/kernels/bench-kernels.ts'), {
  root,
  configFile: false,
  logLevel: 'error',
});
const { rows, notes } = await module.benchKernels(runs);

const ms = (t) => `${t.medianMs.toFixed(3)} ms (p90 ${t.p90Ms.toFixed(3)})`;
for (const batch of [...new Set(rows.map((r) => r.batch))]) {
  console.log(`\nbatch ${batch}`);
  const at = rows.filter((r) => r.batch === batch);
  const find = (what) => at.find((r) => r.what === what);
  for (const row of at) {
    const sparse = row.what.match(/^(\d+)% sparse/);
    const base = find(
      sparse ? `${sparse[1]}% sparse: tfjs-wasm fp32 predict` : 'tfjs-wasm fp32 predict',
    );
    const dense =
      sparse && at.find((r) => r.what.startsWith(`${sparse[1]}% sparse: wasm f32 all dense`));
    const ratio = base
      ? `  ${(base.timing.medianMs / row.timing.medianMs).toFixed(2)}× vs tfjs-wasm`
      : '';
    const vsDense =
      dense && row !== dense
        ? `, ${(dense.timing.medianMs / row.timing.medianMs).toFixed(2)}× vs our dense`
        : '';
    console.log(`  ${row.what.padEnd(72)} ${ms(row.timing).padEnd(30)}${ratio}${vsDense}`);
  }
}
for (const note of notes) console.log(`note: ${note}`);
