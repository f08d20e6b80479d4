import type * as tf from '@tensorflow/tfjs';
import type { NamedLayer } from './layers';
import type { IntegerModel } from '../../techniques/quantize/stage/integer-model';
import type { QuantizedKernel } from '../../techniques/quantize/weights';
import type { Dataset } from '../data/types';
import type { TensorSizeSpec } from '../measure/size';
import type { Rng } from '../rng';
import type { RunControl } from '../train/control';
import type { StepRecord } from '../train/loop';

/**
 * A model as it flows through a pipeline of stages. Stages never mutate their input handle:
 * they build a new model (clone, rebuild or convert) and return a new handle.
 */
export interface ModelHandle {
  /** A float model that trains and predicts (it may hold custom layers: masked, fake-quant). */
  model: tf.LayersModel;
  /**
   * How every weight tensor is stored in the shipped artifact (bits, scales, non-zeros): the
   * exact size comes from this, through measure/size.ts.
   */
  storage: TensorSizeSpec[];
  /**
   * Prediction used for accuracy and latency when it differs from model.predict: e.g. the
   * converted integer model of a quantized variant. Returns logits [batch, classes].
   */
  predict?: (x: tf.Tensor) => tf.Tensor;
  /** The converted integer model behind `predict`, when there is one (exports write it). */
  integerModel?: IntegerModel;
  /**
   * The float layers a post-training quantizer read (PTQ), so reports compare ŵ with the weights
   * the variant came from instead of re-quantizing already-quantized weights.
   */
  floatLayers?: NamedLayer[];
  /**
   * The integer codes and grid of every quantized kernel, ŵ = (q − z)·s: what the variant
   * computes with (exports write these, never the float shadow weights QAT trains).
   */
  weightCodes?: ReadonlyMap<string, QuantizedKernel>;
  /**
   * Weight sharing: each shared layer's codebook, as k-means found it and after fine-tuning (the
   * views draw both on the weight histogram).
   */
  codebooks?: readonly SharedCodebook[];
  /** Which path `predict` runs, in words for the note, e.g. "int8 wasm, relaxed SIMD". */
  predictPath?: string;
  /** MACs per example of the dense structure, and skipping zeroed weights. */
  macs: number;
  effectiveMacs: number;
  /** Plain-language caveats shown in the table, e.g. "runs dequantized in float". */
  notes: string[];
  /** Short description of what was done, for the pipeline label, e.g. "prune 50% (global)". */
  label: string;
}

/** One layer's shared values: k centroids before and after centroid fine-tuning. */
export interface SharedCodebook {
  /** Layer name, e.g. conv1. */
  name: string;
  bits: number;
  /** Centroids from k-means, ascending. */
  initial: number[];
  /** Centroids the model ships (equal to `initial` without fine-tuning), in the same order. */
  final: number[];
  /** The clustered weights before sharing (pruned zeros left out): bins + 1 edges, counts. */
  histogram: { edges: number[]; counts: number[] };
}

/** What a stage gets besides its input: data, the teacher, randomness, progress, cancel. */
export interface StageContext {
  data: Dataset;
  /** The trained teacher (frozen: stages must not change its weights). */
  teacher: tf.LayersModel;
  seed: number;
  rng: Rng;
  control: RunControl;
  /** Training steps of this stage (fine-tune, QAT, distillation) for the live charts. */
  onStep: (record: StepRecord) => void;
  /** Progress of non-training work (calibration, sensitivity scans), 0..1, with a message. */
  onProgress: (fraction: number, message: string) => void;
}

/** Thrown when a stage cannot run with its parameters or input; the message is for students. */
export class StageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StageError';
  }
}
