import type { PruneParams } from './spec';
import type { GradualSchedule, PruningEvent } from './schedule';
import { iterativeSparsities, pruningEvents } from './schedule';

/**
 * How a prune stage lays out its optimizer steps and mask updates: the one source the stage
 * (prune-masked.ts) runs from and the schedule chart draws from. Pure and import-free of tfjs, so
 * the page can plan on the main thread.
 *
 * Per round the stage fine-tunes R = stepsPerEpoch · finetuneEpochs steps:
 * - one-shot: prune to s_f before step 0, then R steps (N:M always works this way);
 * - iterative: K rounds; round k (0-based) prunes to s_{k+1} before step k·R; K·R steps in all;
 * - gradual: R steps; the cubic ramp of `gradualSchedule(R, s_f)` prunes before each of its
 *   pruning steps (one-shot instead when R < 2 leaves no room for a ramp).
 */

/** Note the stage adds when a gradual ramp has no room (fewer than 2 fine-tuning steps). */
export const GRADUAL_TOO_SHORT_NOTE =
  'too few fine-tuning steps for a gradual ramp: pruned in one shot instead';

/** Batch size of the prune stage's fine-tuning: 128 for images (rank-3 input), else 32. */
export function pruneBatchSize(inputShape: readonly number[]): number {
  return inputShape.length === 3 ? 128 : 32;
}

/** Optimizer steps of one epoch: ⌈trainCount / batchSize⌉ (0 for an empty split). */
export function stepsPerEpochOf(trainCount: number, batchSize: number): number {
  if (!(batchSize >= 1)) throw new RangeError(`Batch size must be ≥ 1, got ${batchSize}.`);
  return Math.max(0, Math.ceil(trainCount / batchSize));
}

/**
 * Gradual (Zhu & Gupta) schedule over T fine-tuning steps: 0 → s_f, masks updated every
 * max(1, ⌊T/20⌋) steps, ending at step round(0.75·T) (clamped to 1..T−1) so the last quarter
 * fine-tunes at s_f. Null when T < 2: there is no room for a ramp.
 */
export function gradualSchedule(totalSteps: number, finalSparsity: number): GradualSchedule | null {
  if (totalSteps < 2) return null;
  const endStep = Math.min(totalSteps - 1, Math.max(1, Math.round(0.75 * totalSteps)));
  const frequency = Math.max(1, Math.floor(totalSteps / 20));
  return { initialSparsity: 0, finalSparsity, beginStep: 0, endStep, frequency };
}

/** Iterative targets s_k = 1 − (1 − s_f)^(k/K), k = 1..K, with the last one exactly s_f. */
export function roundSparsities(finalSparsity: number, rounds: number): number[] {
  const targets = iterativeSparsities(finalSparsity, rounds);
  targets[targets.length - 1] = finalSparsity;
  return targets;
}

/** The prune params a plan reads. */
export type PlanParams = Pick<
  PruneParams,
  'kind' | 'schedule' | 'sparsity' | 'rounds' | 'finetuneEpochs' | 'n' | 'm'
>;

export interface SchedulePlan {
  /** How the stage runs (gradual falls back to one-shot when R < 2). */
  layout: 'one-shot' | 'iterative' | 'gradual';
  /** Optimizer steps of the whole stage. */
  totalSteps: number;
  /** R, steps of one round (the whole stage unless iterative). */
  stepsPerRound: number;
  /** s_f in 0..1 (1 − N/M for N:M). */
  finalSparsity: number;
  /** Mask updates in order: prune to `sparsity` (0..1) just before optimizer step `step`. */
  updates: PruningEvent[];
  /** The cubic ramp (gradual layout only). */
  ramp: GradualSchedule | null;
  /** What the student should know: a fallback, or why the stage will refuse these params. */
  note: string | null;
  /** True when the stage refuses these params (it throws before training). */
  refused: boolean;
}

/** The refusal the prune stage raises for this combination, or null. */
function refusal(params: PlanParams): string | null {
  if (params.kind === 'nm' && params.schedule !== 'one-shot') {
    return 'N:M pruning fixes its pattern in one step: choose the one-shot schedule.';
  }
  if (params.kind === 'structured' && params.schedule === 'gradual') {
    return 'Structured pruning removes whole units, so it cannot ramp gradually: choose one-shot or iterative.';
  }
  return null;
}

/**
 * Steps and mask updates of a prune stage, given ⌈trainCount / batch⌉ steps per epoch:
 * R = stepsPerEpoch · finetuneEpochs; see the module comment for the three layouts.
 */
export function schedulePlan(params: PlanParams, stepsPerEpoch: number): SchedulePlan {
  const perRound = stepsPerEpoch * params.finetuneEpochs;
  const nm = params.kind === 'nm';
  const finalSparsity = nm ? 1 - params.n / params.m : params.sparsity;
  const oneShot = (note: string | null, refused = false): SchedulePlan => ({
    layout: 'one-shot',
    totalSteps: perRound,
    stepsPerRound: perRound,
    finalSparsity,
    updates: [{ step: 0, sparsity: finalSparsity }],
    ramp: null,
    note,
    refused,
  });
  const refused = refusal(params);
  if (refused !== null) return oneShot(refused, true);
  if (nm || params.schedule === 'one-shot') return oneShot(null);
  if (params.schedule === 'iterative') {
    return {
      layout: 'iterative',
      totalSteps: params.rounds * perRound,
      stepsPerRound: perRound,
      finalSparsity,
      updates: roundSparsities(finalSparsity, params.rounds).map((sparsity, k) => ({
        step: k * perRound,
        sparsity,
      })),
      ramp: null,
      note: null,
      refused: false,
    };
  }
  const ramp = gradualSchedule(perRound, finalSparsity);
  if (ramp === null) return oneShot(GRADUAL_TOO_SHORT_NOTE);
  return {
    layout: 'gradual',
    totalSteps: perRound,
    stepsPerRound: perRound,
    finalSparsity,
    updates: pruningEvents({ kind: 'gradual', ...ramp }),
    ramp,
    note: null,
    refused: false,
  };
}

/** Sparsity (0..1) of the mask in force at `step`: that of the last update at or before it. */
export function plannedSparsityAt(plan: SchedulePlan, step: number): number {
  let sparsity = 0;
  for (const u of plan.updates) if (u.step <= step) sparsity = u.sparsity;
  return sparsity;
}
