/**
 * What leaves the session as files: the teacher or a variant of the last run as stock tfjs
 * artifacts, as ONNX (what was measured: QDQ when integer), and the teacher as safetensors.
 */
import type { ExportedModel } from './export/artifacts';
import { exportPlainModel } from './export/artifacts';
import { exportWithCodes } from './export/tfjs-codes';
import { teacherSafetensors } from './export/pytorch/teacher-weights';
import type { OnnxArtifact } from './export/variant-onnx';
import { onnxOf, onnxReasonOf } from './export/variant-onnx';
import type { EngineSession } from './session';
import { mirrorWeights } from './backends/cpu-mirror';

type ExportState = Pick<EngineSession, 'teacher' | 'dataset' | 'variantHandles' | 'teacherKey'>;

/**
 * The model behind `source` ('teacher' or a variant id of the last run), or a clear error; its
 * weights read back first (mirrorWeights), since exporting reads them synchronously.
 */
async function exportSource(state: ExportState, source: string) {
  if (!state.teacher || !state.dataset) throw new Error('Train the teacher first.');
  const inputShape = state.dataset.inputShape;
  if (source === 'teacher') {
    await mirrorWeights(state.teacher);
    return { teacher: state.teacher, entry: null, inputShape };
  }
  const entry = state.variantHandles.get(source);
  if (!entry) throw new Error(`No model for variant “${source}” yet: run it first.`);
  await mirrorWeights(entry.handle.model);
  return { teacher: state.teacher, entry, inputShape };
}

/**
 * Stock-loadable tfjs artifacts: custom layers become plain ones, masks baked; a quantized
 * variant ships the exact ŵ of its own codes (uint8 on its own grid where tfjs can say it), never
 * float shadow weights or a second rounding. Activation grids have no stock-tfjs form: say so.
 */
export async function exportModelOf(state: ExportState, source: string): Promise<ExportedModel> {
  const { teacher, entry, inputShape } = await exportSource(state, source);
  if (!entry) return exportPlainModel(teacher, inputShape);
  const { handle } = entry;
  if (!handle.weightCodes) return exportPlainModel(handle.model, inputShape);
  const exported = await exportWithCodes(handle.model, inputShape, handle.weightCodes);
  const notes = [...(exported.notes ?? [])];
  if (handle.predict) {
    notes.push(
      'stock tfjs computes in float: the activation quantization the app measured (' +
        `${handle.predictPath ?? 'its converted path'}) is not in this download; the ONNX ` +
        'export keeps it',
    );
  }
  return { ...exported, notes };
}

/** ONNX of what was measured: the integer model as QDQ, else the float model, masks baked. */
export async function exportOnnxOf(state: ExportState, source: string): Promise<OnnxArtifact> {
  const { teacher, entry, inputShape } = await exportSource(state, source);
  return onnxOf(entry ? entry.handle : { model: teacher }, inputShape);
}

/** Why `source` cannot be exported as ONNX, or null when it can. */
export async function onnxReasonFor(state: ExportState, source: string): Promise<string | null> {
  try {
    const { teacher, entry, inputShape } = await exportSource(state, source);
    return onnxReasonOf(entry ? entry.handle : { model: teacher }, inputShape);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** The trained teacher's kernels and biases as safetensors (tfjs layout), for experiment.py. */
export async function teacherSafetensorsOf(state: ExportState): Promise<Uint8Array> {
  if (!state.teacher) throw new Error('Train the teacher first.');
  await mirrorWeights(state.teacher);
  return teacherSafetensors(state.teacher, { experiment: state.teacherKey });
}
