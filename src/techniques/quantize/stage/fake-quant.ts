/**
 * Fake quantization in tfjs for quantization-aware training. Forward: x̂ = (clamp(round(x/s + z),
 * qmin, qmax) − z) · s. Backward: straight-through estimator (STE), dx = dy where the value lies
 * inside the grid (qmin ≤ x/s + z ≤ qmax) and 0 where it was clipped. Scale and zero point
 * broadcast against x, so a [C] scale quantizes per channel along the last axis.
 */
import * as tf from '@tensorflow/tfjs';
import type { QuantParams } from '../quantizer';

interface Grid {
  qmin: number;
  qmax: number;
}

/** Integer codes q = clamp(round(x/s + z), qmin, qmax) (float tensor): the forward's rounding. */
export function gridCodes(
  x: tf.Tensor,
  s: tf.Tensor,
  z: tf.Tensor,
  qmin: number,
  qmax: number,
): tf.Tensor {
  return tf.clipByValue(tf.round(tf.add(tf.div(x, s), z)), qmin, qmax);
}

function forward(x: tf.Tensor, s: tf.Tensor, z: tf.Tensor, g: Grid): tf.Tensor {
  return tf.mul(tf.sub(gridCodes(x, s, z, g.qmin, g.qmax), z), s);
}

/** 1 where qmin ≤ x/s + z ≤ qmax (the STE passes the gradient), 0 where x was clipped. */
export function steMask(
  x: tf.Tensor,
  s: tf.Tensor,
  z: tf.Tensor,
  qmin: number,
  qmax: number,
): tf.Tensor {
  return tf.tidy(() => {
    const u = tf.add(tf.div(x, s), z);
    return tf.cast(tf.logicalAnd(tf.greaterEqual(u, qmin), tf.lessEqual(u, qmax)), 'float32');
  });
}

/** Sums a broadcast gradient back down to the shape of the tensor that was broadcast. */
function sumToShape(t: tf.Tensor, shape: number[]): tf.Tensor {
  const offset = t.rank - shape.length;
  const axes: number[] = [];
  for (let i = 0; i < t.rank; i++) {
    if (i < offset || (shape[i - offset] === 1 && t.shape[i] !== 1)) axes.push(i);
  }
  const summed = axes.length > 0 ? tf.sum(t, axes, true) : t;
  return tf.reshape(summed, shape);
}

function check(qmin: number, qmax: number): void {
  if (!(Number.isInteger(qmin) && Number.isInteger(qmax) && qmin < qmax)) {
    throw new RangeError(
      `The integer grid needs whole numbers qmin < qmax, got [${qmin}, ${qmax}].`,
    );
  }
}

/** x̂ = (clamp(round(x/s + z), qmin, qmax) − z) · s with STE gradient dy · mask to x; s, z get 0. */
export function fakeQuantize(
  x: tf.Tensor,
  scale: tf.Tensor,
  zeroPoint: tf.Tensor,
  qmin: number,
  qmax: number,
): tf.Tensor {
  check(qmin, qmax);
  const op = tf.customGrad((...args) => {
    const [xi, s, z] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const save = args[3] as unknown as tf.GradSaveFunc;
    save([xi, s, z]);
    return {
      value: forward(xi, s, z, { qmin, qmax }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, ss, sz] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        return [tf.mul(dy, steMask(sx, ss, sz, qmin, qmax)), tf.zerosLike(ss), tf.zerosLike(sz)];
      },
    };
  });
  return op(x, scale, zeroPoint);
}

/**
 * f(x) cut from the gradient tape: the value of f, zero gradient to x. Scales computed from the
 * data (min/max, comparisons) go through this, since tfjs has no gradient for comparison ops.
 */
export function withoutGradient(x: tf.Tensor, f: (x: tf.Tensor) => tf.Tensor): tf.Tensor {
  const shape = x.shape;
  return tf.customGrad((...args) => ({
    value: f(args[0] as tf.Tensor),
    gradFunc: () => tf.zeros(shape),
  }))(x);
}

/** LSQ gradient scale g = 1 / √(numel · qmax), numel = elements sharing one scale (Esser 2019). */
export function lsqGradScale(numel: number, qmax: number): number {
  return 1 / Math.sqrt(numel * qmax);
}

/** The LSQ / LSQ+ op for one grid: `learnZeroPoint` rounds z in the forward and trains it. */
function lsqOp(qmin: number, qmax: number, g: number, learnZeroPoint: boolean) {
  return tf.customGrad((...args) => {
    const [xi, s, zIn] = args as [tf.Tensor, tf.Tensor, tf.Tensor];
    const zShape = zIn.shape;
    const save = args[3] as unknown as tf.GradSaveFunc;
    // LSQ+: the forward uses the integer zero point z̄ = clamp(round(z)); STE hands dz̄ to z.
    const z = learnZeroPoint ? tf.clipByValue(tf.round(zIn), qmin, qmax) : zIn;
    save([xi, s, z]);
    return {
      value: forward(xi, s, z, { qmin, qmax }),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sx, ss, sz] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const u = tf.add(tf.div(sx, ss), sz);
        const inside = steMask(sx, ss, sz, qmin, qmax);
        const q = tf.clipByValue(tf.round(u), qmin, qmax);
        // Inside: q − u = q − z − x/s. Clipped: u is past the end, so q − z is qmin − z or qmax − z.
        const dyds = tf.where(tf.cast(inside, 'bool'), tf.sub(q, u), tf.sub(q, sz));
        const ds = tf.mul(sumToShape(tf.mul(dy, dyds), ss.shape), g);
        // x̂ = (q − z)·s: inside q moves with z (STE) so dx̂/dz = 0; clipped q is fixed, dx̂/dz = −s.
        const dz = learnZeroPoint
          ? tf.mul(sumToShape(tf.mul(dy, tf.mul(tf.sub(inside, 1), ss)), zShape), g)
          : tf.zeros(zShape);
        return [tf.mul(dy, inside), ds, dz];
      },
    };
  });
}

/**
 * Learned step size quantization (LSQ): same forward as fakeQuantize; dx = dy · mask and
 * ds = g · Σ dy · (q − z − x/s inside the grid, qmin − z or qmax − z at the clip ends),
 * summed over the elements sharing each scale (with z = 0 this is Esser et al.'s formula).
 * The zero point is not learned (zero gradient). gradScale defaults to lsqGradScale.
 */
export function fakeQuantizeLsq(
  x: tf.Tensor,
  scale: tf.Tensor,
  zeroPoint: tf.Tensor,
  qmin: number,
  qmax: number,
  gradScale?: number,
): tf.Tensor {
  check(qmin, qmax);
  const g = gradScale ?? lsqGradScale(x.size / Math.max(scale.size, 1), qmax);
  return lsqOp(qmin, qmax, g, false)(x, scale, zeroPoint);
}

/**
 * LSQ+ (asymmetric LSQ, Bhalgat et al. 2020) with an integer zero point: forward as
 * fakeQuantize with z̄ = clamp(round(z), qmin, qmax), so the grid stays integral; dx and ds as
 * fakeQuantizeLsq (with z̄), and the zero point (in integer steps) learns by
 * dz = g · Σ dy · (0 inside the grid, −s where clipped), straight through the rounding of z.
 */
export function fakeQuantizeLsqPlus(
  x: tf.Tensor,
  scale: tf.Tensor,
  zeroPoint: tf.Tensor,
  qmin: number,
  qmax: number,
  gradScale?: number,
): tf.Tensor {
  check(qmin, qmax);
  const g = gradScale ?? lsqGradScale(x.size / Math.max(scale.size, 1), qmax);
  return lsqOp(qmin, qmax, g, true)(x, scale, zeroPoint);
}

/** Scale and zero point of QuantParams as float tensors shaped to broadcast against a rank-r x. */
export function quantParamsToTensors(
  params: QuantParams,
  rank: number,
): { scale: tf.Tensor; zeroPoint: tf.Tensor } {
  const n = params.scale.length;
  const shape = Array.from({ length: rank }, (_, i) => (i === params.axis ? n : 1));
  if (params.axis === null || n === 1) shape.fill(1);
  return {
    scale: tf.tensor(params.scale, shape, 'float32'),
    zeroPoint: tf.tensor(Float32Array.from(params.zeroPoint), shape, 'float32'),
  };
}

/**
 * Tensor version of quantParamsFromRange. Symmetric: s = max(|min|, |max|) / qmax, z = 0.
 * Asymmetric: range widened to include 0, s = (max − min)/(qmax − qmin), z = clamp(round(qmin − min/s)).
 * A zero range gets s = 1.
 */
export function rangeToQuantTensors(
  min: tf.Tensor,
  max: tf.Tensor,
  qmin: number,
  qmax: number,
  symmetric: boolean,
): { scale: tf.Tensor; zeroPoint: tf.Tensor } {
  return tf.tidy(() => {
    const lo = tf.minimum(min, 0);
    const hi = tf.maximum(max, 0);
    const raw = symmetric
      ? tf.div(tf.maximum(tf.neg(lo), hi), qmax)
      : tf.div(tf.sub(hi, lo), qmax - qmin);
    // raw ≥ 0, so raw + 1 − sign(raw) is raw, or 1 for a zero range; unlike where(greater(…)),
    // every op here has a gradient, so this can sit on a training tape.
    const scale = tf.add(raw, tf.sub(1, tf.sign(raw)));
    const zeroPoint = symmetric
      ? tf.zerosLike(scale)
      : tf.clipByValue(tf.round(tf.sub(qmin, tf.div(lo, scale))), qmin, qmax);
    return { scale, zeroPoint };
  });
}

/**
 * Min/max grid of a kernel, one per output channel (last axis) or per tensor: rangeToQuantTensors
 * of its min and max, cut from the gradient tape (the grid follows w but is not trained through).
 */
export function kernelMinMaxGrid(
  w: tf.Tensor,
  perChannel: boolean,
  qmin: number,
  qmax: number,
  symmetric: boolean,
): { scale: tf.Tensor; zeroPoint: tf.Tensor } {
  const axes = perChannel ? w.shape.map((_, i) => i).slice(0, -1) : undefined;
  return tf.tidy(() => {
    const lo = withoutGradient(w, (wi) => tf.min(wi, axes));
    const hi = withoutGradient(w, (wi) => tf.max(wi, axes));
    return rangeToQuantTensors(lo, hi, qmin, qmax, symmetric);
  });
}
