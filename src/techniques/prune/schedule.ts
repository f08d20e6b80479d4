import { assertSparsity } from './sparsity';

/**
 * When to prune and how far. Three schedules:
 * - one-shot: prune to s_f once, then fine-tune.
 * - iterative: K rounds of prune → fine-tune. We use the geometric form: each round removes the
 *   same fraction p of the weights still alive, so after round k the kept fraction is (1 − p)^k and
 *   s_k = 1 − (1 − s_f)^(k/K). Early rounds remove more weights than late ones, when the network
 *   has the most slack (the rule of iterative magnitude pruning / the lottery-ticket papers).
 * - gradual (Zhu & Gupta 2017): s_t = s_f + (s_i − s_f)·(1 − (t − t0)/(T − t0))³ for t in
 *   [t0, T], clamped to s_i before t0 and s_f after T; masks are recomputed every `frequency`
 *   optimizer steps from t0, and at T itself so that s_f is always reached.
 */
export type PruningSchedule =
  | { kind: 'oneShot'; finalSparsity: number }
  | { kind: 'iterative'; finalSparsity: number; rounds: number }
  | ({ kind: 'gradual' } & GradualSchedule);

export interface GradualSchedule {
  /** s_i, sparsity at the first pruning step t0. */
  initialSparsity: number;
  /** s_f, sparsity from step T on. */
  finalSparsity: number;
  /** t0, first optimizer step that prunes. */
  beginStep: number;
  /** T, last optimizer step that prunes (> t0). */
  endStep: number;
  /** Steps between two mask updates (≥ 1). */
  frequency: number;
  /** Exponent of the decay; 3 in the paper. */
  power?: number;
}

/** One mask update: prune to `sparsity` at `step` (a round index for one-shot/iterative). */
export interface PruningEvent {
  step: number;
  sparsity: number;
}

function assertStep(value: number, what: string, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new RangeError(`${what} must be a whole number ≥ ${min}, got ${value}.`);
  }
}

/** Iterative sparsities s_k = 1 − (1 − s_f)^(k/K), k = 1..K (constant fraction of survivors pruned per round). */
export function iterativeSparsities(finalSparsity: number, rounds: number): number[] {
  assertSparsity(finalSparsity, 'Final sparsity');
  assertStep(rounds, 'The number of rounds', 1);
  const out: number[] = [];
  for (let k = 1; k <= rounds; k++) out.push(1 - Math.pow(1 - finalSparsity, k / rounds));
  return out;
}

/** Fraction of the surviving weights each iterative round prunes: p = 1 − (1 − s_f)^(1/K). */
export function iterativeRoundFraction(finalSparsity: number, rounds: number): number {
  assertSparsity(finalSparsity, 'Final sparsity');
  assertStep(rounds, 'The number of rounds', 1);
  return 1 - Math.pow(1 - finalSparsity, 1 / rounds);
}

function checkGradual(g: GradualSchedule): void {
  assertSparsity(g.initialSparsity, 'Initial sparsity');
  assertSparsity(g.finalSparsity, 'Final sparsity');
  if (g.initialSparsity > g.finalSparsity) {
    throw new RangeError(
      `Initial sparsity (${g.initialSparsity}) must not exceed final sparsity (${g.finalSparsity}).`,
    );
  }
  assertStep(g.beginStep, 'The begin step', 0);
  assertStep(g.endStep, 'The end step', g.beginStep + 1);
  assertStep(g.frequency, 'The pruning frequency', 1);
  if (g.power !== undefined && !(g.power > 0)) {
    throw new RangeError(`The decay power must be above 0, got ${g.power}.`);
  }
}

/** Gradual target s_t = s_f + (s_i − s_f)(1 − (t − t0)/(T − t0))^3, clamped to s_i (t < t0) and s_f (t > T). */
export function polynomialDecaySparsity(step: number, g: GradualSchedule): number {
  checkGradual(g);
  const t = Math.min(Math.max(step, g.beginStep), g.endStep);
  const progress = (t - g.beginStep) / (g.endStep - g.beginStep);
  return g.finalSparsity + (g.initialSparsity - g.finalSparsity) * (1 - progress) ** (g.power ?? 3);
}

/** True on steps that recompute the mask: t0 ≤ t ≤ T and ((t − t0) mod frequency = 0 or t = T). */
export function isPruningStep(step: number, g: GradualSchedule): boolean {
  checkGradual(g);
  if (!Number.isInteger(step) || step < g.beginStep || step > g.endStep) return false;
  return (step - g.beginStep) % g.frequency === 0 || step === g.endStep;
}

/** Sparsity of the mask in force after step t: s at the last pruning step ≤ t; 0 before t0 (dense). */
export function appliedSparsity(step: number, g: GradualSchedule): number {
  checkGradual(g);
  if (step < g.beginStep) return 0;
  if (step >= g.endStep) return g.finalSparsity;
  const last = g.beginStep + Math.floor((step - g.beginStep) / g.frequency) * g.frequency;
  return polynomialDecaySparsity(last, g);
}

/**
 * Every mask update of a schedule, in order: one-shot → [(0, s_f)]; iterative → rounds
 * (k − 1, s_k) for k = 1..K; gradual → (t, s_t) at each pruning step t.
 */
export function pruningEvents(schedule: PruningSchedule): PruningEvent[] {
  switch (schedule.kind) {
    case 'oneShot':
      assertSparsity(schedule.finalSparsity, 'Final sparsity');
      return [{ step: 0, sparsity: schedule.finalSparsity }];
    case 'iterative':
      return iterativeSparsities(schedule.finalSparsity, schedule.rounds).map((sparsity, k) => ({
        step: k,
        sparsity,
      }));
    case 'gradual': {
      checkGradual(schedule);
      const events: PruningEvent[] = [];
      for (let t = schedule.beginStep; t < schedule.endStep; t += schedule.frequency) {
        events.push({ step: t, sparsity: polynomialDecaySparsity(t, schedule) });
      }
      events.push({ step: schedule.endStep, sparsity: schedule.finalSparsity });
      return events;
    }
  }
}
