// React-free data of the prune schedule chart: the plan's curves in %, the marker, a summary.
import { trainedCount } from '../../../experiment/splits';
import type { PlanParams, SchedulePlan } from '../schedule-plan';
import { plannedSparsityAt, pruneBatchSize, schedulePlan, stepsPerEpochOf } from '../schedule-plan';
import { polynomialDecaySparsity } from '../schedule';
import type { DatasetSpec } from '../../../experiment/schema';
import { inputShapeOf } from '../../../experiment/schema';
import type { VariantRunState } from '../../../store/store';
import type { DatasetInfo } from '../../../worker/protocol';

/** A point of a chart line: x in optimizer steps, y in % (0..100). */
export interface SchedulePoint {
  step: number;
  percent: number;
}

export interface ScheduleChartData {
  plan: SchedulePlan;
  /** Target sparsity: a step line (one-shot, iterative) or the sampled cubic ramp (gradual). */
  target: SchedulePoint[];
  /** Sparsity of the mask in force, a staircase through each mask update (gradual only). */
  masks: SchedulePoint[];
  /** Right end of the x axis (≥ 1 so an empty stage still draws). */
  xMax: number;
  /** Ticks that mean something: round starts (≤ 5 rounds), the ramp's end T, the last step. */
  xTicks: number[];
}

export interface ScheduleMarker extends SchedulePoint {
  /** True once the stage has finished (the marker then sits at the end). */
  done: boolean;
}

const percentOf = (sparsity: number) => sparsity * 100;

/**
 * Prune steps per epoch ⌈n / b⌉, b the prune batch (128 images, 32 points); n from the loaded
 * data when it is the experiment's dataset, else the experiment's train size less the validation
 * split held out of it.
 */
export function pruneStepsPerEpoch(spec: DatasetSpec, info: DatasetInfo | null): number {
  const loaded = info !== null && info.id === spec.id;
  const trainCount = loaded ? info.trainCount : trainedCount(spec.trainSize);
  const inputShape = loaded ? info.inputShape : inputShapeOf(spec.id);
  return stepsPerEpochOf(trainCount, pruneBatchSize(inputShape));
}

/** Staircase through the plan's mask updates, held to the last step: y = 100·s (%). */
function staircase(plan: SchedulePlan): SchedulePoint[] {
  const points = plan.updates.map((u) => ({ step: u.step, percent: percentOf(u.sparsity) }));
  const last = plan.updates[plan.updates.length - 1];
  if (last && plan.totalSteps > last.step) {
    points.push({ step: plan.totalSteps, percent: percentOf(last.sparsity) });
  }
  return points;
}

/** Cubic ramp 100·s_t sampled at `samples` + 1 points over [0, T], then flat at s_f to the end. */
function rampPoints(plan: SchedulePlan, samples: number): SchedulePoint[] {
  const ramp = plan.ramp;
  if (ramp === null) return [];
  const points: SchedulePoint[] = [];
  for (let i = 0; i <= samples; i++) {
    const step = ramp.beginStep + ((ramp.endStep - ramp.beginStep) * i) / samples;
    points.push({ step, percent: percentOf(polynomialDecaySparsity(step, ramp)) });
  }
  if (plan.totalSteps > ramp.endStep) {
    points.push({ step: plan.totalSteps, percent: percentOf(ramp.finalSparsity) });
  }
  return points;
}

/** Chart lines of a prune stage's plan for `stepsPerEpoch` = ⌈n / b⌉; y in % of weights zeroed. */
export function scheduleChartData(
  params: PlanParams,
  stepsPerEpoch: number,
  samples = 48,
): ScheduleChartData {
  const plan = schedulePlan(params, stepsPerEpoch);
  const gradual = plan.layout === 'gradual';
  const xMax = Math.max(1, plan.totalSteps);
  const inner =
    plan.ramp !== null
      ? [plan.ramp.endStep]
      : plan.updates.length <= 5
        ? plan.updates.map((u) => u.step)
        : [];
  return {
    plan,
    target: gradual ? rampPoints(plan, samples) : staircase(plan),
    masks: gradual ? staircase(plan) : [],
    xMax,
    xTicks: [...new Set([0, ...inner, xMax])].sort((a, b) => a - b),
  };
}

/**
 * Where the marker goes: null before the stage runs; at c = completed steps (last step + 1,
 * clamped to 0..totalSteps) while it runs; at totalSteps once it is done. y = mask in force (%).
 */
export function scheduleMarker(
  plan: SchedulePlan,
  run: VariantRunState | undefined,
  stageIndex: number,
): ScheduleMarker | null {
  if (!run || run.status === 'queued') return null;
  const at = (step: number, done: boolean): ScheduleMarker => {
    const clamped = Math.min(Math.max(step, 0), plan.totalSteps);
    return { step: clamped, percent: percentOf(plannedSparsityAt(plan, clamped)), done };
  };
  const finished =
    run.reused.includes(stageIndex) ||
    run.stageIndex > stageIndex ||
    run.status === 'measuring' ||
    run.status === 'done';
  if (finished) return at(plan.totalSteps, true);
  if (run.stageIndex < stageIndex) return null;
  return at(run.stageStep ? run.stageStep.step + 1 : 0, false);
}

const round = (sparsity: number) => `${Math.round(percentOf(sparsity))}%`;

/** One sentence a student (or a screen reader) can read instead of the chart. */
export function scheduleSummary(data: ScheduleChartData, marker: ScheduleMarker | null): string {
  const { plan } = data;
  const steps = (n: number) => `${n} step${n === 1 ? '' : 's'}`;
  let text: string;
  if (plan.layout === 'iterative') {
    const rounds = plan.updates.map((u) => round(u.sparsity)).join(' → ');
    text = `${plan.updates.length} rounds of ${steps(plan.stepsPerRound)}: ${rounds}`;
  } else if (plan.layout === 'gradual' && plan.ramp) {
    text =
      `0 → ${round(plan.finalSparsity)} over steps 0–${plan.ramp.endStep} in ` +
      `${plan.updates.length} mask updates, then ${steps(plan.totalSteps - plan.ramp.endStep)} ` +
      `at ${round(plan.finalSparsity)}`;
  } else {
    text = `${round(plan.finalSparsity)} at once, then ${steps(plan.totalSteps)} of fine-tuning`;
  }
  if (marker) {
    text += marker.done
      ? '; done.'
      : `; now at step ${marker.step} of ${plan.totalSteps} (${Math.round(marker.percent)}%).`;
  } else text += '.';
  return text;
}
