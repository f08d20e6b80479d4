// Editing the experiment's variants: pipelines of stages from the teacher or a student.
import { mlpSchema } from '../experiment/schema';
import type { ArchitectureSpec } from '../experiment/schema';
import type { Stage, TechniqueId, Variant } from '../experiment/stages';
import { stageSchema } from '../experiment/stages';
import { isImageDataset } from '../experiment/schema';
import { notify, updateExperiment } from './actions';
import { useStore } from './store';

function changeVariants(change: (variants: Variant[]) => Variant[]): void {
  updateExperiment((e) => ({ ...e, variants: change(e.variants) }), false);
}

function changeVariant(id: string, change: (v: Variant) => Variant): void {
  changeVariants((vs) => vs.map((v) => (v.id === id ? change(v) : v)));
}

/** A fresh id: "v1", "v2", … not used yet. */
function freshId(variants: readonly Variant[]): string {
  for (let i = 1; ; i++) if (!variants.some((v) => v.id === `v${i}`)) return `v${i}`;
}

/** A student much smaller than the teacher, fitting the current dataset. */
export function defaultStudent(): ArchitectureSpec {
  const { dataset } = useStore.getState().experiment;
  return isImageDataset(dataset.id)
    ? { kind: 'cnn', convs: [{ filters: 8, kernel: 3 }], dense: [32], activation: 'relu' }
    : mlpSchema.parse({ kind: 'mlp', hidden: [8] });
}

export function addVariant(source: 'teacher' | 'student'): void {
  const variants = useStore.getState().experiment.variants;
  if (variants.length >= 12) return notify('info', 'An experiment holds at most 12 variants.');
  const id = freshId(variants);
  const stages: Stage[] =
    source === 'teacher'
      ? [stageSchema.parse({ technique: 'ptq' })]
      : [stageSchema.parse({ technique: 'distill' })];
  const name = source === 'teacher' ? `Variant ${id.slice(1)}` : `Student ${id.slice(1)}`;
  changeVariants((vs) => [
    ...vs,
    { id, name, source, ...(source === 'student' ? { student: defaultStudent() } : {}), stages },
  ]);
}

export function removeVariant(id: string): void {
  changeVariants((vs) => vs.filter((v) => v.id !== id));
}

export function renameVariant(id: string, name: string): void {
  const trimmed = name.slice(0, 60);
  if (trimmed.trim() === '') return;
  changeVariant(id, (v) => ({ ...v, name: trimmed }));
}

export function setStudent(id: string, student: ArchitectureSpec): void {
  changeVariant(id, (v) => ({ ...v, student }));
}

export function addStage(id: string, technique: TechniqueId): void {
  changeVariant(id, (v) =>
    v.stages.length >= 8 ? v : { ...v, stages: [...v.stages, stageSchema.parse({ technique })] },
  );
}

export function removeStage(id: string, index: number): void {
  changeVariant(id, (v) => ({ ...v, stages: v.stages.filter((_, i) => i !== index) }));
}

/** Moves a stage one place earlier (−1) or later (+1). */
export function moveStage(id: string, index: number, delta: -1 | 1): void {
  changeVariant(id, (v) => {
    const target = index + delta;
    if (target < 0 || target >= v.stages.length) return v;
    const stages = [...v.stages];
    [stages[index], stages[target]] = [stages[target]!, stages[index]!];
    return { ...v, stages };
  });
}

/** Sets one parameter of a stage; only values the stage's schema accepts are kept. */
export function setStageParam(id: string, index: number, key: string, value: unknown): void {
  changeVariant(id, (v) => {
    const stage = v.stages[index];
    if (!stage) return v;
    const parsed = stageSchema.safeParse({
      technique: stage.technique,
      params: { ...stage.params, [key]: value },
    });
    if (!parsed.success) {
      notify('error', parsed.error.issues[0]?.message ?? 'That value is not valid here.');
      return v;
    }
    return { ...v, stages: v.stages.map((s, i) => (i === index ? parsed.data : s)) };
  });
}
