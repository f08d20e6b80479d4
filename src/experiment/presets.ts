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

/** The presets of the picker; the first is the default experiment. */
export const PRESETS: Preset[] = [
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
