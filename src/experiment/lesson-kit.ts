// What a guided lesson is, and the helpers the lesson lists build them with.
import type { Experiment } from './schema';
import { experimentSchema } from './schema';

export interface Lesson {
  /** 1–32 lowercase letters, digits or dashes (it travels in links as view.lesson). */
  id: string;
  title: string;
  /** One line for the picker. */
  summary: string;
  experiment: Experiment;
  paragraphs: string[];
  /** KaTeX formulas (our own static strings, never link content). */
  formulas: { label: string; tex: string }[];
  /** Steps naming the controls to change. */
  tryThis: string[];
}

export type LessonInput = Omit<Lesson, 'experiment'> & { experiment: unknown };

/** A lesson with its experiment validated (defaults filled) by the schema. */
export function lesson(input: LessonInput): Lesson {
  return { ...input, experiment: experimentSchema.parse(input.experiment) };
}

/** MNIST subset and a small MLP: every lesson trains in well under a minute on wasm (no CNNs). */
export function mnistMlp(name: string, hidden: number[], trainSize = 3000, epochs = 4): object {
  return {
    name,
    dataset: { id: 'mnist', trainSize, testSize: 500 },
    teacher: {
      architecture: { kind: 'mlp', hidden, activation: 'relu' },
      training: { optimizer: 'adam', learningRate: 0.002, batchSize: 64, epochs },
    },
  };
}
