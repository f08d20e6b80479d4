import { describe, it, expect, beforeAll } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import {
  createHintRegressor,
  crossEntropy,
  distillationLoss,
  hintLoss,
  normalizedDistances,
  relationDistanceLoss,
  softTargetLoss,
  stopGradient,
} from './losses';

// ---- plain-JS float64 references -------------------------------------------------------------

function logSoftmax(z: number[], T = 1): number[] {
  const m = Math.max(...z.map((x) => x / T));
  const lse = m + Math.log(z.reduce((acc, x) => acc + Math.exp(x / T - m), 0));
  return z.map((x) => x / T - lse);
}

/** mean_b KL(softmax(t/T) ‖ softmax(s/T)) */
function refKl(s: number[][], t: number[][], T: number): number {
  let total = 0;
  s.forEach((row, b) => {
    const lt = logSoftmax(t[b]!, T);
    const ls = logSoftmax(row, T);
    lt.forEach((l, c) => (total += Math.exp(l) * (l - ls[c]!)));
  });
  return total / s.length;
}

function refCe(s: number[][], y: number[]): number {
  return -s.reduce((acc, row, b) => acc + logSoftmax(row)[y[b]!]!, 0) / s.length;
}

function refKd(s: number[][], t: number[][], y: number[], T: number, alpha: number): number {
  return alpha * T * T * refKl(s, t, T) + (1 - alpha) * refCe(s, y);
}

function refRkd(sf: number[][], tf_: number[][], delta: number): number {
  const psi = (x: number[][]) => {
    const d = x.map((a) => x.map((b) => Math.hypot(...a.map((v, k) => v - b[k]!))));
    const n = x.length;
    const mean = d.flat().reduce((p, q) => p + q, 0) / (n * (n - 1));
    return d.map((row) => row.map((v) => v / mean));
  };
  const ps = psi(sf);
  const pt = psi(tf_);
  const n = sf.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      const a = Math.abs(ps[i]![j]! - pt[i]![j]!);
      total += a <= delta ? 0.5 * a * a : delta * (a - 0.5 * delta);
    }
  }
  return total / (n * (n - 1));
}

/** Central finite differences of f at every entry of x (float64). */
function numericGrad(f: (x: number[][]) => number, x: number[][], h = 1e-5): number[][] {
  return x.map((row, i) =>
    row.map((_, j) => {
      const plus = x.map((r) => [...r]);
      const minus = x.map((r) => [...r]);
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );
}

function scalar(t: tf.Scalar): number {
  const v = t.dataSync()[0]!;
  t.dispose();
  return v;
}

function maxAbs(t: tf.Tensor): number {
  return Math.max(...Array.from(t.dataSync(), Math.abs));
}

function expectClose(actual: number[][], expected: number[][], tol: number) {
  actual.flat().forEach((a, i) => expect(Math.abs(a - expected.flat()[i]!)).toBeLessThan(tol));
}

// ---- fixtures ----------------------------------------------------------------------------------

const S = [
  [1, 2, 0.5],
  [0, -1, 3],
];
const T_ = [
  [2, 1, 0],
  [0.5, 0.5, 2],
];
const Y = [1, 2];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('distillationLoss (Hinton)', () => {
  it('equals α·T²·KL + (1 − α)·CE computed by hand, for class ids and one-hot labels', () => {
    const before = tf.memory().numTensors;
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(T_);
    const ids = tf.tensor1d(Y, 'int32');
    const oneHot = tf.tensor2d([
      [0, 1, 0],
      [0, 0, 1],
    ]);
    for (const [T, alpha] of [
      [1, 0.5],
      [3, 0.7],
      [4, 0.9],
    ] as const) {
      const expected = refKd(S, T_, Y, T, alpha);
      expect(scalar(distillationLoss(s, t, ids, { temperature: T, alpha }))).toBeCloseTo(
        expected,
        5,
      );
      expect(scalar(distillationLoss(s, t, oneHot, { temperature: T, alpha }))).toBeCloseTo(
        expected,
        5,
      );
    }
    tf.dispose([s, t, ids, oneHot]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('includes the T² factor: soft term = T²·KL, and α = 1 gives exactly that', () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(T_);
    const labels = tf.tensor1d([0, 0], 'int32'); // ignored at α = 1
    for (const T of [1, 2, 5]) {
      const kl = refKl(S, T_, T);
      expect(kl).toBeGreaterThan(0);
      expect(scalar(softTargetLoss(s, t, T))).toBeCloseTo(T * T * kl, 5);
      const pure = scalar(distillationLoss(s, t, labels, { temperature: T, alpha: 1 }));
      expect(pure).toBeCloseTo(T * T * kl, 5);
    }
    tf.dispose([s, t, labels]);
  });

  it('α = 0 gives pure cross-entropy, whatever the teacher says', () => {
    const s = tf.tensor2d(S);
    const t = tf.tensor2d(T_);
    const t2 = tf.tensor2d([
      [9, -9, 0],
      [0, 0, 0],
    ]);
    const y = tf.tensor1d(Y, 'int32');
    const ce = refCe(S, Y);
    expect(scalar(crossEntropy(y, s))).toBeCloseTo(ce, 5);
    expect(scalar(distillationLoss(s, t, y, { temperature: 4, alpha: 0 }))).toBeCloseTo(ce, 5);
    expect(scalar(distillationLoss(s, t2, y, { temperature: 4, alpha: 0 }))).toBeCloseTo(ce, 5);
    tf.dispose([s, t, t2, y]);
  });

  it('rejects T ≤ 0, α outside [0, 1] and mismatched shapes with RangeError', () => {
    const s = tf.tensor2d(S);
    const y = tf.tensor1d(Y, 'int32');
    for (const temperature of [0, -2, NaN, Infinity]) {
      expect(() => distillationLoss(s, s, y, { temperature, alpha: 0.5 })).toThrow(/T must be/);
    }
    for (const alpha of [-0.1, 1.1, NaN]) {
      expect(() => distillationLoss(s, s, y, { temperature: 2, alpha })).toThrow(/α must be in/);
    }
    const wide = tf.zeros([2, 4]) as tf.Tensor2D;
    const badLabels = tf.tensor1d([0, 1, 2], 'int32');
    expect(() => distillationLoss(s, wide, y, { temperature: 2, alpha: 0.5 })).toThrow(RangeError);
    expect(() => distillationLoss(s, s, badLabels, { temperature: 2, alpha: 0.5 })).toThrow(
      RangeError,
    );
    tf.dispose([s, y, wide, badLabels]);
  });

  it('gradient w.r.t. student logits matches finite differences and α·T·(p_s − p_t) + …', () => {
    const [T, alpha] = [3, 0.6];
    const before = tf.memory().numTensors;
    const y = tf.tensor1d(Y, 'int32');
    const t = tf.tensor2d(T_);
    const g = tf.grad((s: tf.Tensor) =>
      distillationLoss(s as tf.Tensor2D, t, y, { temperature: T, alpha }),
    )(tf.tensor2d(S));
    const analytic = g.arraySync() as number[][];
    tf.dispose([g, y, t]);
    const numeric = numericGrad((s) => refKd(s, T_, Y, T, alpha), S);
    expectClose(analytic, numeric, 1e-4);
    // Closed form: ∂L/∂s = [α·T·(p_s^T − p_t^T) + (1 − α)·(p_s − y)] / batch
    const closed = S.map((row, b) => {
      const ps = logSoftmax(row, T).map(Math.exp);
      const pt = logSoftmax(T_[b]!, T).map(Math.exp);
      const p1 = logSoftmax(row).map(Math.exp);
      return row.map(
        (_, c) =>
          (alpha * T * (ps[c]! - pt[c]!) + (1 - alpha) * (p1[c]! - (c === Y[b] ? 1 : 0))) / 2,
      );
    });
    expectClose(analytic, closed, 1e-5);
    expect(tf.memory().numTensors).toBe(before + 1); // only the input tensor2d(S) is left
  });
});

describe('gradients reach only the student', () => {
  it('teacher variables get zero gradient, or none when frozen; the student gets a real one', () => {
    const x = tf.tensor2d([
      [1, -0.5],
      [0.3, 2],
    ]);
    const y = tf.tensor1d(Y, 'int32');
    const student = tf.variable(
      tf.tensor2d([
        [0.1, -0.2, 0.3],
        [0.4, 0.0, -0.1],
      ]),
      true,
      'kdS',
    );
    const teacher = tf.variable(
      tf.tensor2d([
        [1, -1, 0.5],
        [0.2, 0.7, -0.3],
      ]),
      true,
      'kdT',
    );
    const loss = () =>
      distillationLoss(tf.matMul(x, student), tf.matMul(x, teacher), y, {
        temperature: 2,
        alpha: 0.8,
      });
    const before = tf.memory().numTensors;

    const live = tf.variableGrads(loss, [student, teacher]);
    expect(maxAbs(live.grads.kdS!)).toBeGreaterThan(1e-3);
    expect(Array.from(live.grads.kdT!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([live.value, ...Object.values(live.grads)]);

    teacher.trainable = false; // frozen teacher: not even asked for
    const frozen = tf.variableGrads(loss);
    expect(Object.keys(frozen.grads)).toContain('kdS');
    expect(Object.keys(frozen.grads)).not.toContain('kdT');
    tf.dispose([frozen.value, ...Object.values(frozen.grads)]);

    // The same holds for the feature losses.
    teacher.trainable = true;
    const reg = createHintRegressor(3, 3, 1, 'kdReg');
    const feat = tf.variableGrads(
      () =>
        tf.add(
          hintLoss(tf.matMul(x, student), tf.matMul(x, teacher), reg),
          relationDistanceLoss(tf.matMul(x, student), tf.matMul(x, teacher)),
        ) as tf.Scalar,
      [student, teacher, reg],
    );
    expect(maxAbs(feat.grads.kdS!)).toBeGreaterThan(1e-3);
    expect(maxAbs(feat.grads.kdReg!)).toBeGreaterThan(1e-3);
    expect(Array.from(feat.grads.kdT!.dataSync())).toEqual([0, 0, 0, 0, 0, 0]);
    tf.dispose([feat.value, ...Object.values(feat.grads)]);
    expect(tf.memory().numTensors).toBe(before + 1); // the regressor variable
    tf.dispose([x, y, student, teacher, reg]);
  });

  it('stopGradient is the identity forward', () => {
    const x = tf.tensor1d([1, -2, 3]);
    const y = stopGradient(x);
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(stopGradient(v), v)))(x);
    expect(Array.from(g.dataSync())).toEqual([1, -2, 3]); // d/dv [sg(v)·v] = sg(v)
    tf.dispose([x, y, g]);
  });
});

describe('hintLoss (FitNets)', () => {
  const fs = [
    [1, 2],
    [-1, 0.5],
  ];
  const ft = [
    [0.5, -1, 2],
    [1, 0, -0.5],
  ];
  const w = [
    [0.2, -0.1, 0.4],
    [0.3, 0.5, -0.2],
  ];
  const bias = [0.1, 0, -0.1];
  const refHint = (W: number[][], beta: number) => {
    let total = 0;
    fs.forEach((row, b) =>
      ft[b]!.forEach((target, j) => {
        const mapped = row.reduce((acc, v, k) => acc + v * W[k]![j]!, 0) + bias[j]!;
        total += (mapped - target) ** 2;
      }),
    );
    return (beta * total) / 6;
  };

  it('equals β·mean((f_s·W + b − f_t)²) by hand, and its W-gradient matches finite differences', () => {
    const before = tf.memory().numTensors;
    const [s, t, b] = [tf.tensor2d(fs), tf.tensor2d(ft), tf.tensor1d(bias)];
    const W = tf.tensor2d(w);
    expect(scalar(hintLoss(s, t, W, 0.5, b))).toBeCloseTo(refHint(w, 0.5), 5);
    const g = tf.grad((v: tf.Tensor) => hintLoss(s, t, v as tf.Tensor2D, 0.5, b))(W);
    expectClose(
      g.arraySync() as number[][],
      numericGrad((v) => refHint(v, 0.5), w),
      1e-4,
    );
    tf.dispose([s, t, b, W, g]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('maps [batch, h, w, channels] features per position like a 1×1 conv', () => {
    const s = tf.randomNormal([2, 3, 3, 4], 0, 1, 'float32', 1);
    const t = tf.randomNormal([2, 3, 3, 5], 0, 1, 'float32', 2);
    const reg = createHintRegressor(4, 5, 7);
    const spatial = scalar(hintLoss(s, t, reg));
    const rows = scalar(hintLoss(s.reshape([18, 4]), t.reshape([18, 5]), reg));
    expect(spatial).toBeCloseTo(rows, 6);
    expect(() => hintLoss(s, t.reshape([2, 9, 5]), reg)).toThrow(RangeError);
    expect(() => hintLoss(s, t, reg.transpose() as tf.Tensor2D)).toThrow(/do not fit/);
    tf.dispose([s, t, reg]);
  });

  it('creates a seeded, trainable Glorot regressor', () => {
    const a = createHintRegressor(6, 10, 3);
    const b = createHintRegressor(6, 10, 3);
    expect(a.shape).toEqual([6, 10]);
    expect(a.trainable).toBe(true);
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    const bound = Math.sqrt(6 / 16);
    expect(Math.max(...Array.from(a.dataSync(), Math.abs))).toBeLessThanOrEqual(bound);
    tf.dispose([a, b]);
  });
});

describe('relationDistanceLoss (RKD-D)', () => {
  const sf = [
    [0, 0],
    [1, 0],
    [0, 3],
    [2, 2],
  ];
  const tfeat = [
    [1, 1, 0],
    [0, 2, 1],
    [3, 0, 0],
    [0, 0, 0.5],
  ];

  it('normalizes distances by their off-diagonal mean (hand values)', () => {
    const d = normalizedDistances(tf.tensor2d([[0], [3], [4]])); // distances 3, 4, 1; mean 8/3
    const expected = [
      [0, 9 / 8, 12 / 8],
      [9 / 8, 0, 3 / 8],
      [12 / 8, 3 / 8, 0],
    ];
    expectClose(d.arraySync(), expected, 1e-5);
    d.dispose();
  });

  it('matches the hand-computed Huber loss (both branches) and finite differences', () => {
    const before = tf.memory().numTensors;
    const [s, t] = [tf.tensor2d(sf), tf.tensor2d(tfeat)];
    for (const delta of [1, 0.1]) {
      expect(scalar(relationDistanceLoss(s, t, 1, delta))).toBeCloseTo(refRkd(sf, tfeat, delta), 5);
    }
    expect(scalar(relationDistanceLoss(s, t, 2.5))).toBeCloseTo(2.5 * refRkd(sf, tfeat, 1), 5);
    const g = tf.grad((v: tf.Tensor) => relationDistanceLoss(v, t, 1, 0.1))(s);
    const numeric = numericGrad((v) => refRkd(v, tfeat, 0.1), sf, 1e-6);
    expectClose(g.arraySync() as number[][], numeric, 1e-4);
    tf.dispose([s, t, g]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('is zero when the student is a scaled, shifted copy of the teacher', () => {
    const t = tf.tensor2d(tfeat);
    const s = tf.tidy(() => tf.add(tf.mul(t, 7), 3));
    expect(scalar(relationDistanceLoss(s, t))).toBeLessThan(1e-6);
    expect(() => relationDistanceLoss(s.slice(0, 1), t.slice(0, 1))).toThrow(/≥ 2/);
    expect(() => relationDistanceLoss(s, t.slice(0, 3))).toThrow(RangeError);
    tf.dispose([s, t]);
  });
});
