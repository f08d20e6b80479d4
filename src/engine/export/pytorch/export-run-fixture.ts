/** The MNIST experiment export-run.test.ts exports and runs: every technique the script covers. */
import { experimentOf } from './test-support';

export const IMAGE_EXPERIMENT = experimentOf({
  name: 'PyTorch export check (MNIST)',
  seed: 7,
  // The fp32 controls are checked on the tiny preset (presets-export.test.ts): here they would
  // only add training time.
  controls: false,
  dataset: { id: 'mnist', trainSize: 1000, testSize: 300 },
  teacher: {
    architecture: {
      kind: 'cnn',
      convs: [
        { filters: 4, kernel: 3 },
        { filters: 6, kernel: 3 },
      ],
      dense: [12],
      activation: 'relu',
    },
    training: { optimizer: 'adam', learningRate: 0.01, batchSize: 32, epochs: 2 },
  },
  variants: [
    {
      id: 'ptq-dyn',
      name: 'PTQ dynamic pow2',
      stages: [
        {
          technique: 'ptq',
          params: { mode: 'weight-only', granularity: 'per-tensor', powerOfTwo: true },
        },
      ],
    },
    {
      id: 'ptq-static',
      name: 'PTQ static percentile, mixed bits',
      stages: [
        {
          technique: 'ptq',
          params: {
            mode: 'static',
            observer: 'percentile',
            percentile: 99.9,
            scheme: 'asymmetric',
            calibrationSize: 64,
            layerBits: { conv1: 8, conv2: 4, dense1: 3 },
          },
        },
      ],
    },
    {
      id: 'qat',
      name: 'QAT w4a8 LSQ',
      stages: [
        {
          technique: 'qat',
          params: { weightBits: 4, learnedScale: true, epochs: 1, layerBits: { dense1: 2 } },
        },
      ],
    },
    {
      id: 'gradual',
      name: 'Gradual 60%',
      stages: [
        { technique: 'prune', params: { sparsity: 0.6, schedule: 'gradual', finetuneEpochs: 1 } },
      ],
    },
    {
      id: 'global-iter',
      name: 'Global iterative 70%',
      stages: [
        {
          technique: 'prune',
          params: {
            scope: 'global',
            schedule: 'iterative',
            rounds: 2,
            sparsity: 0.7,
            finetuneEpochs: 1,
          },
        },
      ],
    },
    {
      id: 'nm',
      name: '2:4 then fine-tune',
      stages: [
        { technique: 'prune', params: { kind: 'nm', finetuneEpochs: 0 } },
        { technique: 'finetune', params: { epochs: 1 } },
      ],
    },
    {
      id: 'structured',
      name: 'Structured 25%',
      stages: [
        {
          technique: 'prune',
          params: {
            kind: 'structured',
            sparsity: 0.25,
            criterion: 'activation',
            finetuneEpochs: 1,
          },
        },
      ],
    },
    {
      id: 'lowrank',
      name: 'Low-rank 80% energy',
      stages: [
        {
          technique: 'lowrank',
          params: { rankMode: 'energy', energy: 0.8, convs: true, finetuneEpochs: 1 },
        },
      ],
    },
    {
      id: 'share',
      name: 'Pruned 50% + k-means 3-bit',
      stages: [
        { technique: 'prune', params: { sparsity: 0.5, finetuneEpochs: 0 } },
        { technique: 'share', params: { bits: 3, finetuneEpochs: 1 } },
      ],
    },
    {
      id: 'kd',
      name: 'Distilled',
      source: 'student',
      student: { kind: 'cnn', convs: [{ filters: 2, kernel: 3 }], dense: [8], activation: 'relu' },
      stages: [{ technique: 'distill', params: { epochs: 1, hintWeight: 0.5, relationWeight: 1 } }],
    },
    {
      id: 'kd-at',
      name: 'Distilled with attention maps',
      source: 'student',
      student: {
        kind: 'cnn',
        convs: [
          { filters: 2, kernel: 3 },
          { filters: 3, kernel: 3 },
        ],
        dense: [8],
        activation: 'relu',
      },
      stages: [
        { technique: 'distill', params: { epochs: 1, attentionWeight: 50, baseline: false } },
      ],
    },
    {
      id: 'refused',
      name: 'Fine-tune after static PTQ',
      stages: [{ technique: 'ptq' }, { technique: 'finetune' }],
    },
  ],
});

/** Variant ids the script runs for IMAGE_EXPERIMENT (the refused one left out). */
export const RUN_IDS = [
  'ptq-dyn',
  'ptq-static',
  'qat',
  'gradual',
  'global-iter',
  'nm',
  'structured',
  'lowrank',
  'share',
  'kd',
  'kd-alone',
  'kd-at',
];

/** Variants whose bytes do not depend on training noise: they must match the app's exactly. */
export const SIZE_IDS = [
  'ptq-dyn',
  'ptq-static',
  'gradual',
  'nm',
  'structured',
  'lowrank',
  'share',
  'share',
  'kd',
  'kd-alone',
];
