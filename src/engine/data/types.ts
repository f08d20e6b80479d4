/**
 * A labelled split held as plain typed arrays: tensors are made per batch, so the data can
 * cross the worker boundary and nothing stays on the GPU between runs.
 */
export interface DataSplit {
  /** Row-major features: count × featureSize, images scaled to [0, 1]. */
  x: Float32Array;
  /** Class index of each example, 0 … numClasses − 1. */
  y: Uint8Array;
  count: number;
}

export interface Dataset {
  id: string;
  /** Shape of one example: [28, 28, 1] for images, [2] for points. */
  inputShape: number[];
  numClasses: number;
  classNames: string[];
  /** What the models train on. */
  train: DataSplit;
  /** Held out of the training examples (validation.ts): every choice is made on it. */
  validation: DataSplit;
  /** Only ever scores. */
  test: DataSplit;
}

/** Number of features in one example: the product of the input shape. */
export function featureSize(inputShape: readonly number[]): number {
  return inputShape.reduce((a, b) => a * b, 1);
}
