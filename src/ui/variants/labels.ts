import type { Stage } from '../../experiment/stages';

/** Friendly names and one-line hints for stage parameters. */
export const PARAM_LABELS: Record<string, { label: string; hint?: string }> = {
  epochs: { label: 'Epochs', hint: '0 skips training' },
  learningRate: { label: 'Learning rate' },
  mode: { label: 'Mode', hint: 'dynamic: weights only; static: weights and activations' },
  weightBits: { label: 'Weight bits', hint: '2–16' },
  activationBits: { label: 'Activation bits', hint: '2–16' },
  scheme: { label: 'Scheme', hint: 'symmetric: zero point 0' },
  granularity: { label: 'Scales', hint: 'one per tensor, or one per output channel' },
  powerOfTwo: { label: 'Power-of-two levels' },
  observer: { label: 'Range observer' },
  emaMomentum: { label: 'EMA momentum' },
  percentile: { label: 'Percentile', hint: 'clip range, e.g. 99.99' },
  calibrationSize: { label: 'Calibration examples' },
  learnedScale: { label: 'Learn scales (LSQ)' },
  fromScratch: { label: 'Train from scratch' },
  kind: {
    label: 'Kind',
    hint: 'magnitude: single weights; structured: whole units; nm: N of every M',
  },
  scope: { label: 'Scope', hint: 'one threshold per layer, or one for all' },
  sparsity: { label: 'Sparsity', hint: 'fraction of weights removed, 0–0.99' },
  criterion: { label: 'Rank units by' },
  n: { label: 'N (kept)' },
  m: { label: 'M (group)' },
  schedule: { label: 'Schedule' },
  rounds: { label: 'Rounds (iterative)' },
  finetuneEpochs: { label: 'Fine-tune epochs' },
  temperature: { label: 'Temperature T', hint: 'softens the teacher’s probabilities' },
  alpha: { label: 'α (teacher weight)', hint: 'α·T²·KL + (1−α)·CE' },
  hintWeight: { label: 'Feature hint β', hint: '0 = off' },
  baseline: { label: 'Also train student alone' },
  rankMode: { label: 'Rank by' },
  rank: { label: 'Rank r' },
  energy: { label: 'Energy kept', hint: 'fraction of Σσ², e.g. 0.9' },
  convs: { label: 'Factor conv layers too' },
};

/** Short text for a stage chip: "PTQ int8 static", "prune 50% magnitude", … */
export function stageSummary(stage: Stage): string {
  switch (stage.technique) {
    case 'finetune':
      return `fine-tune ${stage.params.epochs} ep`;
    case 'ptq':
      return `PTQ ${stage.params.mode} w${stage.params.weightBits}${stage.params.mode === 'static' ? `a${stage.params.activationBits}` : ''}`;
    case 'qat':
      return `QAT w${stage.params.weightBits}a${stage.params.activationBits}`;
    case 'prune':
      return stage.params.kind === 'nm'
        ? `prune ${stage.params.n}:${stage.params.m}`
        : `prune ${Math.round(stage.params.sparsity * 100)}% ${stage.params.kind}${stage.params.schedule === 'one-shot' ? '' : ` ${stage.params.schedule}`}`;
    case 'distill':
      return `distill T=${stage.params.temperature} α=${stage.params.alpha}`;
    case 'lowrank':
      return stage.params.rankMode === 'rank'
        ? `low-rank r=${stage.params.rank}`
        : `low-rank ${Math.round(stage.params.energy * 100)}% energy`;
  }
}
