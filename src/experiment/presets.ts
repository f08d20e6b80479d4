import type { Experiment } from './schema';
import { experimentSchema } from './schema';

export interface Preset {
  id: string;
  label: string;
  /** One line for the picker: what the preset shows. */
  summary: string;
  experiment: Experiment;
}

const REFERENCE_TEACHER = {
  kind: 'cnn' as const,
  convs: [
    { filters: 16, kernel: 3 },
    { filters: 32, kernel: 3 },
  ],
  dense: [128],
  activation: 'relu' as const,
};

function preset(id: string, label: string, summary: string, experiment: unknown): Preset {
  return { id, label, summary, experiment: experimentSchema.parse(experiment) };
}

/**
 * Activation bits of the int8 presets: 7-bit codes (0..127), as PyTorch's x86 default
 * (reduce_range), so the relaxed-SIMD int8 dot multiplies them exactly in one step.
 */
const REDUCED_RANGE = 7;

/** The variants of the classic comparison table (FP32 is the teacher row itself). */
const SEED_TABLE_VARIANTS = [
  {
    id: 'int8-dynamic',
    name: 'INT8 dynamic PTQ',
    stages: [{ technique: 'ptq', params: { mode: 'dynamic' } }],
  },
  {
    id: 'int8-static',
    name: 'INT8 static PTQ',
    stages: [{ technique: 'ptq', params: { mode: 'static', activationBits: REDUCED_RANGE } }],
  },
  {
    id: 'qat-int8',
    name: 'QAT int8',
    stages: [
      {
        technique: 'qat',
        params: { epochs: 1, learningRate: 0.0005, activationBits: REDUCED_RANGE },
      },
    ],
  },
  {
    id: 'pruned-50',
    name: '50% pruned + fine-tune',
    stages: [
      { technique: 'prune', params: { sparsity: 0.5, finetuneEpochs: 1, learningRate: 0.0005 } },
    ],
  },
];

/** The presets of the picker; the first is the default experiment. */
export const PRESETS: Preset[] = [
  preset(
    'first-look',
    'First look · compression on MNIST',
    'An MLP on digits, then int8, 4-bit QAT, 50% pruned and a distilled student: under 30 s',
    {
      name: 'First look: compressing an MNIST model',
      dataset: { id: 'mnist', trainSize: 12000, testSize: 2000 },
      teacher: {
        architecture: { kind: 'mlp', hidden: [128], activation: 'relu' },
        training: { optimizer: 'adam', learningRate: 0.002, batchSize: 64, epochs: 3 },
      },
      variants: [
        {
          id: 'int8',
          name: 'INT8 static PTQ',
          stages: [{ technique: 'ptq', params: { mode: 'static', activationBits: REDUCED_RANGE } }],
        },
        {
          id: 'qat4',
          name: 'QAT 4-bit weights',
          stages: [
            {
              technique: 'qat',
              params: {
                weightBits: 4,
                activationBits: REDUCED_RANGE,
                epochs: 1,
                learningRate: 0.0005,
              },
            },
          ],
        },
        {
          id: 'pruned',
          name: '50% pruned',
          stages: [
            {
              technique: 'prune',
              params: { sparsity: 0.5, finetuneEpochs: 1, learningRate: 0.0005 },
            },
          ],
        },
        {
          id: 'student',
          name: 'Distilled student',
          source: 'student',
          student: { kind: 'mlp', hidden: [32], activation: 'relu' },
          stages: [
            {
              technique: 'distill',
              params: { temperature: 4, alpha: 0.7, epochs: 3, learningRate: 0.002 },
            },
          ],
        },
      ],
    },
  ),
  preset(
    'spiral-mlp',
    'Spiral · small MLP',
    'Three interleaved arms, a 2×32 MLP: trains in seconds',
    {
      name: 'Spiral with a small MLP',
      dataset: { id: 'spiral', trainSize: 1500, testSize: 600, noise: 0.05 },
      teacher: {
        architecture: { kind: 'mlp', hidden: [32, 32], activation: 'relu' },
        training: { optimizer: 'adam', learningRate: 0.02, batchSize: 32, epochs: 30 },
      },
    },
  ),
  preset('moons-tiny', 'Moons · tiny MLP', 'Two moons, 2×8 units: the smallest useful network', {
    name: 'Moons with a tiny MLP',
    dataset: { id: 'moons', trainSize: 500, testSize: 200, noise: 0.1 },
    teacher: {
      architecture: { kind: 'mlp', hidden: [8, 8], activation: 'relu' },
      training: { optimizer: 'adam', learningRate: 0.03, batchSize: 25, epochs: 10 },
    },
  }),
  preset('mnist-mlp', 'MNIST · MLP', 'Digits with a 784-128-64-10 MLP', {
    name: 'MNIST with an MLP',
    dataset: { id: 'mnist', trainSize: 10000, testSize: 2000 },
    teacher: {
      architecture: { kind: 'mlp', hidden: [128, 64], activation: 'relu' },
      training: { optimizer: 'adam', learningRate: 0.001, batchSize: 64, epochs: 3 },
    },
  }),
  preset('mnist-cnn', 'MNIST · reference CNN', 'conv16 → pool → conv32 → pool → dense128 → 10', {
    name: 'MNIST with the reference CNN',
    dataset: { id: 'mnist', trainSize: 10000, testSize: 2000 },
    teacher: {
      architecture: REFERENCE_TEACHER,
      training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 2 },
    },
  }),
  preset(
    'seed-table',
    'The compression comparison table',
    'MNIST, reference CNN: FP32 / INT8 dynamic / INT8 static / QAT / 50% pruned / distilled',
    {
      name: 'The compression comparison table',
      dataset: { id: 'mnist', trainSize: 60_000, testSize: 10_000 },
      teacher: {
        architecture: REFERENCE_TEACHER,
        training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 1 },
      },
      variants: [
        ...SEED_TABLE_VARIANTS,
        {
          id: 'distilled',
          name: 'Distilled student',
          source: 'student',
          student: {
            kind: 'cnn',
            convs: [{ filters: 8, kernel: 3 }],
            dense: [32],
            activation: 'relu',
          },
          stages: [
            {
              technique: 'distill',
              params: { temperature: 4, alpha: 0.7, epochs: 1, learningRate: 0.002 },
            },
          ],
        },
      ],
    },
  ),
  preset(
    'tiny-pipeline',
    'Every technique · tiny',
    'Moons, a tiny MLP, one variant per technique: quick to run',
    {
      name: 'Every technique on a tiny model',
      dataset: { id: 'moons', trainSize: 400, testSize: 200, noise: 0.3 },
      teacher: {
        architecture: { kind: 'mlp', hidden: [16, 16], activation: 'relu' },
        training: { optimizer: 'adam', learningRate: 0.03, batchSize: 32, epochs: 8 },
      },
      variants: [
        {
          id: 'ptq-dyn',
          name: 'INT8 dynamic PTQ',
          stages: [{ technique: 'ptq', params: { mode: 'dynamic' } }],
        },
        {
          id: 'ptq-static',
          name: 'INT8 static PTQ',
          stages: [{ technique: 'ptq', params: { mode: 'static', calibrationSize: 64 } }],
        },
        {
          id: 'qat',
          name: 'QAT w4a8',
          stages: [{ technique: 'qat', params: { weightBits: 4, epochs: 2, learningRate: 0.005 } }],
        },
        {
          id: 'pruned',
          name: '50% pruned',
          stages: [
            {
              technique: 'prune',
              params: { sparsity: 0.5, finetuneEpochs: 2, learningRate: 0.005 },
            },
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
                finetuneEpochs: 2,
                learningRate: 0.005,
              },
            },
          ],
        },
        {
          id: 'lowrank',
          name: 'Low-rank r=4',
          stages: [
            {
              technique: 'lowrank',
              params: { rankMode: 'rank', rank: 4, finetuneEpochs: 2, learningRate: 0.005 },
            },
          ],
        },
        {
          id: 'shared',
          name: 'k-means 3-bit',
          stages: [
            { technique: 'share', params: { bits: 3, finetuneEpochs: 2, learningRate: 0.005 } },
          ],
        },
        {
          id: 'kd',
          name: 'Distilled student',
          source: 'student',
          student: { kind: 'mlp', hidden: [6], activation: 'relu' },
          stages: [{ technique: 'distill', params: { epochs: 6, learningRate: 0.03 } }],
        },
      ],
    },
  ),
  preset(
    'weight-sharing',
    'Weight sharing · k-means on MNIST',
    'Reference CNN: 4- and 2-bit shared weights with centroid fine-tuning against uniform 4-bit PTQ',
    {
      name: 'Weight sharing (k-means) on MNIST',
      dataset: { id: 'mnist', trainSize: 10000, testSize: 2000 },
      teacher: {
        architecture: REFERENCE_TEACHER,
        training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 2 },
      },
      variants: [
        {
          id: 'share-4',
          name: 'k-means 4-bit + fine-tune',
          stages: [{ technique: 'share', params: { bits: 4, finetuneEpochs: 1 } }],
        },
        {
          id: 'share-2',
          name: 'k-means 2-bit + fine-tune',
          stages: [{ technique: 'share', params: { bits: 2, finetuneEpochs: 1 } }],
        },
        {
          id: 'ptq-w4',
          name: 'Uniform 4-bit PTQ (weights only)',
          stages: [
            {
              technique: 'ptq',
              params: { mode: 'weight-only', weightBits: 4, granularity: 'per-channel' },
            },
          ],
        },
        {
          id: 'pruned-shared',
          name: '50% pruned → k-means 4-bit',
          stages: [
            { technique: 'prune', params: { sparsity: 0.5, finetuneEpochs: 1 } },
            { technique: 'share', params: { bits: 4, finetuneEpochs: 1 } },
          ],
        },
      ],
    },
  ),
  preset(
    'mixed-precision',
    'Mixed precision · Fashion-MNIST',
    'Reference CNN with uniform 4- and 3-bit weights: scan the layers, then spend the bits where they matter',
    {
      name: 'Mixed precision on Fashion-MNIST',
      dataset: { id: 'fashion', trainSize: 10000, testSize: 2000 },
      teacher: {
        architecture: REFERENCE_TEACHER,
        training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 2 },
      },
      variants: [
        {
          id: 'ptq-w4',
          name: 'Uniform 4-bit weights',
          stages: [
            {
              technique: 'ptq',
              params: { mode: 'weight-only', weightBits: 4, granularity: 'per-channel' },
            },
          ],
        },
        {
          id: 'ptq-w3',
          name: 'Uniform 3-bit weights',
          stages: [
            {
              technique: 'ptq',
              params: { mode: 'weight-only', weightBits: 3, granularity: 'per-channel' },
            },
          ],
        },
      ],
    },
  ),
  preset('fashion-cnn', 'Fashion-MNIST · reference CNN', 'Clothes: harder than digits', {
    name: 'Fashion-MNIST with the reference CNN',
    dataset: { id: 'fashion', trainSize: 10000, testSize: 2000 },
    teacher: {
      architecture: REFERENCE_TEACHER,
      training: { optimizer: 'adam', learningRate: 0.001, batchSize: 128, epochs: 2 },
    },
  }),
];

export const DEFAULT_PRESET = PRESETS[0]!;

/** The preset with this id, if any. */
export function findPreset(id: string): Preset | undefined {
  return PRESETS.find((p) => p.id === id);
}
