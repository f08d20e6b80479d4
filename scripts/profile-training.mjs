// `node scripts/profile-training.mjs [batch]`: one training step of the reference CNN on
// tfjs-wasm with our training kernels, kernel by kernel (tf.profile), beside the step's wall time;
// the rest is tfjs bookkeeping between kernels. Prints a Markdown table; nothing is asserted.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runnerImport } from 'vite';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const batch = Number(process.argv[2] ?? 128);
const { module } = await runnerImport(join(root, 'src/bench/training-profile.ts'), {
  root,
  configFile: false,
  logLevel: 'error',
});
const profile = await module.profileTrainingStep(batch);
const share = (ms) => `${((100 * ms) / profile.stepMs).toFixed(1)} %`;
console.log(`| kernel | calls | ms per step | share of the step |`);
console.log(`| --- | --- | --- | --- |`);
for (const k of profile.kernels.filter((k) => k.totalMs >= 0.05)) {
  console.log(`| ${k.kernel} | ${k.calls} | ${k.totalMs.toFixed(2)} | ${share(k.totalMs)} |`);
}
const rest = profile.stepMs - profile.kernelMs;
console.log(`| (kernels under 0.05 ms) | | | |`);
console.log(
  `| tfjs bookkeeping between kernels (step − Σ kernels) | | ${rest.toFixed(2)} | ${share(rest)} |`,
);
console.log(
  `| **one step, batch ${profile.batch}** | | **${profile.stepMs.toFixed(2)}** | 100 % |`,
);
console.log(
  `\n${((1000 * profile.batch) / profile.stepMs).toFixed(0)} samples/s from the median step.`,
);
