// Experiment files (export / import with results and teacher weights) and model downloads.
import {
  SCRIPT_FILE_NAME,
  TEACHER_WEIGHTS_FILE_NAME,
  generatePytorchScript,
} from '../engine/export/pytorch/script';
import { fromBase64, toBase64 } from '../engine/export/base64';
import { restoreExperiment } from '../experiment/link';
import { parseMeasurement, parseTeacherOutcome } from '../experiment/measurement';
import type { Experiment } from '../experiment/schema';
import type { ExportedModel, TeacherResult, VariantMeasurement } from '../worker/protocol';
import { isBusy, loadDataset, notify } from './actions';
import { getEngine } from './engine-client';
import { useStore } from './store';

export const EXPERIMENT_FORMAT = 'compression-playground-experiment';

/** The experiment file: config, results, and optionally the teacher's weights (base64). */
export interface ExperimentFile {
  format: typeof EXPERIMENT_FORMAT;
  version: 1;
  experiment: Experiment;
  results: { teacher: TeacherResult | null; variants: VariantMeasurement[] };
  teacherWeights?: {
    modelTopology: object;
    weightSpecs: ExportedModel['weightSpecs'];
    weightData: string;
  };
}

export interface ParsedExperimentFile {
  experiment: Experiment;
  teacher: TeacherResult | null;
  variants: VariantMeasurement[];
  teacherWeights: ExportedModel | null;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function parseWeights(raw: unknown): ExportedModel {
  if (!isObject(raw) || !isObject(raw.modelTopology) || !Array.isArray(raw.weightSpecs))
    throw new Error('the teacher weights lack a model topology or weight list');
  let bytes = 0;
  for (const spec of raw.weightSpecs as unknown[]) {
    if (!isObject(spec) || typeof spec.name !== 'string' || spec.dtype !== 'float32')
      throw new Error('a teacher weight entry is malformed');
    if (!Array.isArray(spec.shape) || !spec.shape.every((d) => Number.isInteger(d) && d >= 0))
      throw new Error(`the teacher weight “${spec.name}” has a bad shape`);
    bytes += (spec.shape as number[]).reduce((a, b) => a * b, 1) * 4;
  }
  if (typeof raw.weightData !== 'string') throw new Error('the teacher weight data is missing');
  const weightData = fromBase64(raw.weightData);
  if (weightData.byteLength !== bytes)
    throw new Error(`the teacher weights hold ${weightData.byteLength} bytes, expected ${bytes}`);
  return {
    modelTopology: raw.modelTopology,
    weightSpecs: raw.weightSpecs as ExportedModel['weightSpecs'],
    weightData,
  };
}

/** Largest experiment file read (its teacher weights included): 64 MiB. */
export const MAX_EXPERIMENT_FILE_BYTES = 64 * 1024 * 1024;

/** Why a file of `bytes` is refused before it is read, or null (size ≤ MAX_EXPERIMENT_FILE_BYTES). */
export function experimentFileSizeProblem(bytes: number): string | null {
  if (bytes <= MAX_EXPERIMENT_FILE_BYTES) return null;
  const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `The file is ${mib(bytes)}; experiment files up to ${mib(MAX_EXPERIMENT_FILE_BYTES)} are read.`;
}

/**
 * Validates an experiment file's text completely; throws an Error whose message says what is
 * wrong (for the user). Nothing is applied here.
 */
export function parseExperimentFile(text: string): ParsedExperimentFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('This file is not JSON: it is not an experiment file.');
  }
  if (!isObject(raw) || raw.format !== EXPERIMENT_FORMAT)
    throw new Error('This is not a Compression Playground experiment file.');
  if (raw.version !== 1)
    throw new Error(`This experiment file has version ${String(raw.version)}; only 1 is known.`);
  if (!isObject(raw.experiment)) throw new Error('The file has no experiment.');
  const problems: string[] = [];
  const experiment = restoreExperiment(raw.experiment, problems);
  if (problems.length > 0) throw new Error(`The experiment is invalid: ${problems.join(' ')}`);
  const results = raw.results ?? { teacher: null, variants: [] };
  if (!isObject(results) || !Array.isArray(results.variants))
    throw new Error('The results in the file are malformed.');
  const rawTeacher = results.teacher ?? null;
  const teacher = rawTeacher === null ? null : parseTeacherOutcome(rawTeacher);
  if (rawTeacher !== null && teacher === null)
    throw new Error('The teacher results in the file are malformed.');
  const variants = results.variants.map(parseMeasurement);
  const bad = variants.findIndex((v) => v === null);
  if (bad >= 0) throw new Error(`Result row ${bad + 1} in the file is malformed.`);
  let teacherWeights: ExportedModel | null = null;
  if (raw.teacherWeights !== undefined) {
    try {
      teacherWeights = parseWeights(raw.teacherWeights);
    } catch (error) {
      throw new Error(`The teacher weights are damaged: ${(error as Error).message}.`, {
        cause: error,
      });
    }
  }
  return {
    experiment,
    teacher,
    variants: variants as VariantMeasurement[],
    teacherWeights,
  };
}

/** The experiment file's JSON text for the current state and optional teacher weights. */
export function buildExperimentFile(
  experiment: Experiment,
  teacher: TeacherResult | null,
  variants: VariantMeasurement[],
  weights: ExportedModel | null,
): string {
  const doc: ExperimentFile = {
    format: EXPERIMENT_FORMAT,
    version: 1,
    experiment,
    results: { teacher, variants },
    ...(weights
      ? {
          teacherWeights: {
            modelTopology: weights.modelTopology,
            weightSpecs: weights.weightSpecs,
            weightData: toBase64(weights.weightData),
          },
        }
      : {}),
  };
  return JSON.stringify(doc);
}

/** model.json text (tfjs layers-model format) whose weights live in the file weights.bin. */
export function modelJsonText(model: ExportedModel): string {
  return JSON.stringify({
    format: 'layers-model',
    generatedBy: 'Compression Playground',
    convertedBy: null,
    modelTopology: model.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: model.weightSpecs }],
  });
}

function download(name: string, data: BlobPart, mime: string): void {
  const url = URL.createObjectURL(new Blob([data], { type: mime }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Downloads experiment.json: config, results and, when trained, the teacher's weights. */
export async function exportExperiment(): Promise<void> {
  const { experiment, teacher, results } = useStore.getState();
  let weights: ExportedModel | null = null;
  if (teacher) {
    try {
      weights = await getEngine().exportTeacher();
    } catch {
      weights = null; // results restored after a reload may have no weights in the worker
    }
  }
  download(
    'experiment.json',
    buildExperimentFile(experiment, teacher, results, weights),
    'application/json',
  );
}

/** Reads, validates and applies an experiment file; a bad file changes nothing. */
export async function importExperimentFile(file: File): Promise<void> {
  if (isBusy())
    return notify('info', 'Wait for the run to finish (or cancel it) before importing.');
  let parsed: ParsedExperimentFile;
  try {
    // Refused unread when too large: nothing is parsed, let alone turned into tensors.
    const tooLarge = experimentFileSizeProblem(file.size);
    if (tooLarge) throw new Error(tooLarge);
    parsed = parseExperimentFile(await file.text());
  } catch (error) {
    return notify(
      'error',
      `Could not import “${file.name}”: ${message(error)} Nothing was changed.`,
    );
  }
  useStore.setState({
    presetId: '',
    experiment: parsed.experiment,
    teacher: parsed.teacher,
    results: parsed.variants,
    reported: null,
    variantRuns: {},
    curves: {},
    predictions: {},
    run: { status: parsed.teacher ? 'done' : 'idle', steps: [], epochs: [], error: null },
  });
  await loadDataset();
  if (parsed.teacherWeights && parsed.teacher) {
    try {
      await getEngine().importTeacher(parsed.teacherWeights, parsed.experiment, parsed.teacher);
      return notify(
        'info',
        `Imported “${file.name}” with its trained teacher: “Run all” reuses it.`,
      );
    } catch (error) {
      return notify('error', `Imported the experiment, but not its teacher: ${message(error)}`);
    }
  }
  notify('info', `Imported “${file.name}”. Press “Run all” to reproduce it.`);
}

/** Downloads model.json + weights.bin of the teacher or a variant (stock tfjs loads them). */
/**
 * Downloads experiment.py (the whole experiment in PyTorch, torchrun-ready) and, when a teacher
 * is trained, teacher.safetensors so the script starts from the same weights.
 */
export async function exportPytorch(): Promise<void> {
  const { experiment, teacher } = useStore.getState();
  const result = generatePytorchScript(experiment);
  if (!result.ok) return notify('error', `Could not export the PyTorch script: ${result.reason}`);
  download(SCRIPT_FILE_NAME, result.script, 'text/x-python');
  if (!teacher) {
    return notify(
      'info',
      `Downloaded ${SCRIPT_FILE_NAME}; it trains its own teacher (none is trained here yet).`,
    );
  }
  try {
    const weights = await getEngine().exportTeacherSafetensors();
    download(
      TEACHER_WEIGHTS_FILE_NAME,
      weights as Uint8Array<ArrayBuffer>,
      'application/octet-stream',
    );
    notify(
      'info',
      `Downloaded ${SCRIPT_FILE_NAME} and ${TEACHER_WEIGHTS_FILE_NAME}: python3 ${SCRIPT_FILE_NAME} --teacher-weights ${TEACHER_WEIGHTS_FILE_NAME} --data DIR`,
    );
  } catch (error) {
    notify(
      'error',
      `The script downloaded, but the teacher's weights could not be: ${message(error)}`,
    );
  }
}

/** Why `source` cannot be exported as ONNX (null when it can, or when there is nothing yet). */
export async function onnxExportReason(source: string): Promise<string | null> {
  try {
    return await getEngine().onnxReason(source);
  } catch (error) {
    return message(error);
  }
}

/** Downloads `source` (teacher or variant id) as model.onnx, saying what was widened or kept float. */
export async function exportOnnx(source: string): Promise<void> {
  try {
    const { bytes, notes } = await getEngine().exportOnnx(source);
    download(`${source}.onnx`, bytes as Uint8Array<ArrayBuffer>, 'application/octet-stream');
    notify(
      'info',
      `Downloaded ${source}.onnx (input [N, C, H, W] or [N, features]).${notes.length ? ` ${notes.join(' ')}` : ''}`,
    );
  } catch (error) {
    notify('error', `Could not export ONNX: ${message(error)}`);
  }
}

export async function exportModel(source: string): Promise<void> {
  try {
    const model = await getEngine().exportModel(source);
    download('model.json', modelJsonText(model), 'application/json');
    download('weights.bin', model.weightData, 'application/octet-stream');
    if (model.notes && model.notes.length > 0) {
      notify('info', `Downloaded model.json and weights.bin. Note: ${model.notes.join('; ')}.`);
    }
  } catch (error) {
    notify('error', `Could not export the model: ${message(error)}`);
  }
}
