import type { ArchitectureSpec, Experiment, Variant } from './deps';
import { inputShapeOf, isImageDataset } from './deps';

/**
 * What the PyTorch script can reproduce. It runs every technique the app has; what it cannot
 * express are the pipelines the app itself refuses (the same StageError, decided from the
 * document alone): the reasons below are the app's, so the UI can show them on a disabled button.
 */

/** Why an architecture cannot be built on this dataset, or null: CNNs need images that last. */
export function architectureReason(
  architecture: ArchitectureSpec,
  experiment: Experiment,
  who: string,
): string | null {
  if (architecture.kind !== 'cnn') return null;
  if (!isImageDataset(experiment.dataset.id)) {
    return `The ${who} is a CNN, which needs image input, but ${experiment.dataset.id} is a set of 2-D points.`;
  }
  let side = inputShapeOf(experiment.dataset.id)[0] ?? 0;
  for (const [i, conv] of architecture.convs.entries()) {
    side = Math.floor((side - conv.kernel + 1) / 2);
    if (side < 1) {
      return `The ${who}'s conv block ${i + 1} leaves no pixels (conv ${conv.kernel}×${conv.kernel} then a 2×2 pool): use fewer or smaller convs.`;
    }
  }
  return null;
}

/** Why the experiment as a whole cannot be exported (its teacher cannot be built), or null. */
export function experimentExportReason(experiment: Experiment): string | null {
  return architectureReason(experiment.teacher.architecture, experiment, 'teacher');
}

function hasHiddenDense(architecture: ArchitectureSpec): boolean {
  return (architecture.kind === 'cnn' ? architecture.dense : architecture.hidden).length > 0;
}

/**
 * Why the script cannot run this variant (the app refuses its pipeline), or null when it can.
 * Walks the stages with what the app's checks read: whether the input runs as a converted
 * quantized model (static PTQ, QAT), whether it stores quantized weights, and whether it is a
 * fresh, untrained student.
 */
export function variantExportReason(experiment: Experiment, variant: Variant): string | null {
  const teacherReason = experimentExportReason(experiment);
  if (teacherReason) return teacherReason;
  if (variant.source === 'student') {
    if (!variant.student) return 'A variant that starts from a student needs its architecture.';
    const reason = architectureReason(variant.student, experiment, 'student');
    if (reason) return reason;
  }
  let converted = false;
  let quantizedStorage = false;
  // Shared weights (k-means) count as quantized storage until training moves them off the codebook.
  let shared = false;
  let freshStudent = variant.source === 'student';
  for (const [i, stage] of variant.stages.entries()) {
    const at = `Stage ${i + 1} (${stage.technique})`;
    switch (stage.technique) {
      case 'finetune':
      case 'distill': {
        if (shared && stage.params.epochs > 0) {
          shared = false;
          quantizedStorage = false;
        }
        if (converted) {
          const what = stage.technique === 'finetune' ? 'Fine-tuning' : 'Distillation';
          return `${at}: ${what} trains float weights, but its input runs as a converted quantized model that would not see the change: put it before the quantization stage.`;
        }
        if (
          stage.technique === 'distill' &&
          stage.params.hintWeight > 0 &&
          !hasHiddenDense(experiment.teacher.architecture)
        ) {
          return `${at}: feature hints match the last hidden dense layers, but the teacher has none: set the hint weight β to 0.`;
        }
        if (
          stage.technique === 'distill' &&
          stage.params.relationWeight > 0 &&
          !hasHiddenDense(experiment.teacher.architecture)
        ) {
          return `${at}: relation distillation compares the last hidden dense layers, but the teacher has none: set γ to 0.`;
        }
        if (
          stage.technique === 'distill' &&
          stage.params.attentionWeight > 0 &&
          experiment.teacher.architecture.kind !== 'cnn'
        ) {
          return `${at}: attention transfer compares conv feature maps, but the teacher has no conv layer: set the attention weight to 0.`;
        }
        break;
      }
      case 'ptq':
        converted = stage.params.mode !== 'weight-only';
        quantizedStorage = true;
        shared = false;
        break;
      case 'qat':
        if (!stage.params.fromScratch && freshStudent) {
          return `${at}: QAT fine-tunes a trained model, but this student has not been trained yet: put a distill or fine-tune stage before QAT, or choose "from scratch".`;
        }
        converted = true;
        quantizedStorage = true;
        shared = false;
        break;
      case 'prune':
        if (stage.params.kind === 'nm' && stage.params.schedule !== 'one-shot') {
          return `${at}: N:M pruning fixes its pattern (N of every M weights) in one step: choose the one-shot schedule.`;
        }
        if (stage.params.kind === 'structured' && stage.params.schedule === 'gradual') {
          return `${at}: structured pruning removes whole units, so it cannot ramp gradually: choose one-shot or iterative.`;
        }
        converted = false;
        quantizedStorage = false;
        shared = false;
        break;
      case 'lowrank':
        if (converted || quantizedStorage) {
          return `${at}: low-rank factorization works on float weights: put it before quantization (PTQ or QAT).`;
        }
        break;
      case 'share':
        if (converted || quantizedStorage) {
          return `${at}: weight sharing clusters float weights: put it before quantization (PTQ or QAT).`;
        }
        quantizedStorage = true;
        shared = true;
        break;
    }
    freshStudent = false;
  }
  return null;
}
