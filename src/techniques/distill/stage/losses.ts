import * as tf from '@tensorflow/tfjs';

/** Hinton distillation settings: temperature T > 0 and soft-target weight α in [0, 1]. */
export interface DistillationParams {
  temperature: number;
  alpha: number;
}

/** Throws RangeError unless T is finite and > 0 and α is in [0, 1]. */
export function validateDistillationParams({ temperature, alpha }: DistillationParams): void {
  if (!(Number.isFinite(temperature) && temperature > 0)) {
    throw new RangeError(
      `Distillation temperature T must be a finite number > 0, got ${temperature}.`,
    );
  }
  if (!(Number.isFinite(alpha) && alpha >= 0 && alpha <= 1)) {
    throw new RangeError(`Distillation weight α must be in [0, 1], got ${alpha}.`);
  }
}

const stopGradientOp = tf.customGrad((x) => ({
  value: (x as tf.Tensor).clone(),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
}));

/**
 * Identity in the forward pass, zero gradient in the backward pass (∂y/∂x = 0): the teacher's
 * outputs act as constants, so teacher variables upstream only ever receive zeros.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

function checkLogits(student: tf.Tensor, teacher: tf.Tensor): void {
  if (student.rank !== 2 || !tf.util.arraysEqual(student.shape, teacher.shape)) {
    throw new RangeError(
      `Student and teacher logits must both be [batch, classes], got [${student.shape}] and [${teacher.shape}].`,
    );
  }
}

/** Labels as a float [batch, classes] target: integer class ids [batch] go through one-hot. */
function toTargets(labels: tf.Tensor, batch: number, classes: number): tf.Tensor2D {
  if (labels.rank === 1 && labels.shape[0] === batch) {
    const ids = labels.dtype === 'int32' ? labels : labels.toInt();
    return tf.oneHot(ids as tf.Tensor1D, classes).toFloat() as tf.Tensor2D;
  }
  if (labels.rank === 2 && labels.shape[0] === batch && labels.shape[1] === classes) {
    return labels.toFloat() as tf.Tensor2D;
  }
  throw new RangeError(
    `Labels must be class ids [${batch}] or one-hot [${batch}, ${classes}], got [${labels.shape}].`,
  );
}

/**
 * Softmax cross-entropy CE = −mean_b Σ_c y_bc · log softmax(s_b)_c, in nats; labels are class ids
 * [batch] (ids outside 0..C−1 give a zero row) or one-hot / soft targets [batch, classes].
 */
export function crossEntropy(labels: tf.Tensor, logits: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const [batch, classes] = logits.shape;
    const y = toTargets(labels, batch, classes);
    return tf.neg(tf.mean(tf.sum(tf.mul(y, tf.logSoftmax(logits)), -1))) as tf.Scalar;
  });
}

/**
 * Soft-target term T²·KL(softmax(t/T) ‖ softmax(s/T)), KL = Σ_c p_t (log p_t − log p_s), mean
 * over the batch, in nats. The T² keeps its gradient on the scale of the hard loss as T grows.
 */
export function softTargetLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  temperature: number,
): tf.Scalar {
  validateDistillationParams({ temperature, alpha: 1 });
  checkLogits(studentLogits, teacherLogits);
  return tf.tidy(() => {
    const logPt = tf.logSoftmax(tf.div(stopGradient(teacherLogits), temperature));
    const logPs = tf.logSoftmax(tf.div(studentLogits, temperature));
    const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), -1);
    return tf.mul(tf.mean(kl), temperature * temperature);
  });
}

/**
 * Hinton distillation loss L = α·T²·KL(softmax(t/T) ‖ softmax(s/T)) + (1 − α)·CE(y, s), mean over
 * the batch, in nats. The teacher logits get no gradient; a term with zero weight is skipped.
 */
export function distillationLoss(
  studentLogits: tf.Tensor2D,
  teacherLogits: tf.Tensor2D,
  labels: tf.Tensor,
  params: DistillationParams,
): tf.Scalar {
  validateDistillationParams(params);
  checkLogits(studentLogits, teacherLogits);
  const { temperature, alpha } = params;
  return tf.tidy(() => {
    const terms: tf.Scalar[] = [];
    if (alpha > 0) {
      terms.push(tf.mul(softTargetLoss(studentLogits, teacherLogits, temperature), alpha));
    }
    if (alpha < 1) terms.push(tf.mul(crossEntropy(labels, studentLogits), 1 - alpha));
    return terms.length === 1 ? terms[0]! : tf.addN(terms);
  });
}

/** Features [batch, …, channels] as rows [batch·…, channels]: a linear map on them is a 1×1 conv. */
function asRows(x: tf.Tensor): tf.Tensor2D {
  const channels = x.shape[x.rank - 1] ?? 1;
  return x.reshape([-1, channels]);
}

/**
 * A FitNets hint regressor weight [studentDim, teacherDim], Glorot-uniform initialized from the
 * seed, trainable (train it with the student).
 */
export function createHintRegressor(
  studentDim: number,
  teacherDim: number,
  seed: number,
  name?: string,
): tf.Variable<tf.Rank.R2> {
  return tf.tidy(() => {
    const init = tf.initializers.glorotUniform({ seed }).apply([studentDim, teacherDim]);
    return tf.variable(init as tf.Tensor2D, true, name);
  });
}

/**
 * FitNets hint loss β·mean((f_s·W + b − f_t)²) over every element of the teacher feature; features
 * are [batch, dim] or [batch, …, channels] (then W acts per position like a 1×1 conv).
 */
export function hintLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  regressor: tf.Tensor2D,
  beta = 1,
  regressorBias?: tf.Tensor1D,
): tf.Scalar {
  const s = studentFeature.shape;
  const t = teacherFeature.shape;
  const [inDim, outDim] = regressor.shape;
  const sameLayout = s.length === t.length && s.slice(0, -1).every((d, i) => d === t[i]);
  if (s.length < 2 || !sameLayout || s[s.length - 1] !== inDim || t[t.length - 1] !== outDim) {
    throw new RangeError(
      `Hint shapes do not fit: student [${s}] · regressor [${regressor.shape}] vs teacher [${t}].`,
    );
  }
  if (!(Number.isFinite(beta) && beta >= 0)) {
    throw new RangeError(`Hint weight β must be a finite number ≥ 0, got ${beta}.`);
  }
  return tf.tidy(() => {
    let mapped: tf.Tensor = tf.matMul(asRows(studentFeature), regressor);
    if (regressorBias) mapped = tf.add(mapped, regressorBias);
    const diff = tf.sub(mapped, asRows(stopGradient(teacherFeature)));
    return tf.mul(tf.mean(tf.square(diff)), beta);
  });
}

/**
 * RKD distance potential ψ_ij = ‖x_i − x_j‖₂ / μ with μ the mean distance over pairs i ≠ j
 * (diagonal 0); features are centered first, which changes no distance but saves float32 digits.
 */
export function normalizedDistances(features: tf.Tensor): tf.Tensor2D {
  const batch = features.shape[0] ?? 0;
  if (features.rank < 2 || batch < 2) {
    throw new RangeError(
      `Relation distillation needs a batch of ≥ 2 examples, got [${features.shape}].`,
    );
  }
  return tf.tidy(() => {
    const x = features.reshape([batch, -1]);
    const centered = tf.sub(x, tf.mean(x, 0, true));
    const sqNorm = tf.sum(tf.square(centered), 1, true); // [B, 1]
    const gram = tf.matMul(centered, centered, false, true);
    const sq = tf.sub(tf.add(sqNorm, sqNorm.transpose()), tf.mul(gram, 2));
    // Clamp before the square root: its gradient at 0 is infinite (then masked, as NaN·0 = NaN).
    const offDiagonal = tf.sub(1, tf.eye(batch));
    const dist = tf.mul(tf.sqrt(tf.maximum(sq, 1e-12)), offDiagonal);
    const mean = tf.div(tf.sum(dist), batch * (batch - 1));
    return tf.div(dist, tf.maximum(mean, 1e-12));
  });
}

/**
 * RKD-D relation loss β·mean_{i≠j} huber_δ(ψ^s_ij − ψ^t_ij) with huber_δ(d) = ½d² if |d| ≤ δ else
 * δ(|d| − ½δ); scale-invariant, so student and teacher features may differ in width and scale.
 */
export function relationDistanceLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  beta = 1,
  delta = 1,
): tf.Scalar {
  if (studentFeature.shape[0] !== teacherFeature.shape[0]) {
    throw new RangeError(
      `Student and teacher batches differ: [${studentFeature.shape}] vs [${teacherFeature.shape}].`,
    );
  }
  if (!(Number.isFinite(beta) && beta >= 0) || !(Number.isFinite(delta) && delta > 0)) {
    throw new RangeError(`Need β ≥ 0 and Huber δ > 0, got β = ${beta}, δ = ${delta}.`);
  }
  const batch = studentFeature.shape[0] ?? 0;
  return tf.tidy(() => {
    const diff = tf.sub(
      normalizedDistances(studentFeature),
      normalizedDistances(stopGradient(teacherFeature)),
    );
    const a = tf.abs(diff);
    const q = tf.minimum(a, delta); // huber = ½q² + δ(|d| − q)
    const huber = tf.add(tf.mul(tf.square(q), 0.5), tf.mul(tf.sub(a, q), delta));
    return tf.mul(tf.div(tf.sum(huber), batch * (batch - 1)), beta);
  });
}

/**
 * Attention map of conv features [batch, h, w, c]: Q = Σ_c F_c² per position, flattened and
 * L2-normalised per example, Q / ‖Q‖₂ (Zagoruyko & Komodakis' activation-based attention).
 */
export function attentionMap(features: tf.Tensor): tf.Tensor2D {
  if (features.rank !== 4) {
    throw new RangeError(
      `Attention maps need conv features [batch, h, w, c], got [${features.shape}].`,
    );
  }
  return tf.tidy(() => {
    const batch = features.shape[0]!;
    const q = tf.sum(tf.square(features), 3).reshape([batch, -1]);
    const norm = tf.maximum(tf.norm(q, 2, 1, true), 1e-12);
    return tf.div(q, norm) as tf.Tensor2D;
  });
}

/**
 * Attention transfer loss β·mean_examples ‖Q_s/‖Q_s‖ − Q_t/‖Q_t‖‖₂²: student and teacher feature
 * maps must have the same height and width (channels may differ).
 */
export function attentionLoss(
  studentFeature: tf.Tensor,
  teacherFeature: tf.Tensor,
  beta = 1,
): tf.Scalar {
  const [sb, sh, sw] = studentFeature.shape;
  const [tb, th, tw] = teacherFeature.shape;
  if (
    studentFeature.rank !== 4 ||
    teacherFeature.rank !== 4 ||
    sb !== tb ||
    sh !== th ||
    sw !== tw
  ) {
    throw new RangeError(
      `Attention maps must have the same size: student [${studentFeature.shape}] vs teacher [${teacherFeature.shape}].`,
    );
  }
  if (!(Number.isFinite(beta) && beta >= 0)) {
    throw new RangeError(`The attention weight must be a finite number ≥ 0, got ${beta}.`);
  }
  return tf.tidy(() => {
    const diff = tf.sub(attentionMap(studentFeature), attentionMap(stopGradient(teacherFeature)));
    return tf.mul(tf.mean(tf.sum(tf.square(diff), 1)), beta);
  });
}
