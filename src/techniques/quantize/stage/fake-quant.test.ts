import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng, gaussian } from '../../../engine/rng';
import {
  fakeQuantize,
  fakeQuantizeLsq,
  fakeQuantizeLsqPlus,
  kernelMinMaxGrid,
  lsqGradScale,
  quantParamsToTensors,
  rangeToQuantTensors,
  withoutGradient,
} from './fake-quant';
import { computeQuantParams, fakeQuantizeArray, quantParamsFromRange } from '../quantizer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const rhe = (x: number) => {
  const b = Math.floor(x);
  return x - b < 0.5 ? b : x - b > 0.5 ? b + 1 : b % 2 === 0 ? b : b + 1;
};

describe('fakeQuantize forward', () => {
  it('matches the typed-array reference per tensor and per channel', () => {
    const rng = createRng(1);
    const values = Float32Array.from({ length: 4 * 3 * 5 }, () => gaussian(rng));
    const before = tf.memory().numTensors;
    for (const axis of [null, 2, 0]) {
      const p = computeQuantParams(values, [4, 3, 5], { bits: 4, scheme: 'asymmetric', axis });
      const { scale, zeroPoint } = quantParamsToTensors(p, 3);
      const x = tf.tensor(values, [4, 3, 5]);
      const y = fakeQuantize(x, scale, zeroPoint, p.qmin, p.qmax);
      const expected = fakeQuantizeArray(values, p, [4, 3, 5]);
      const got = y.dataSync();
      for (let i = 0; i < values.length; i++) expect(got[i]).toBeCloseTo(expected[i]!, 5);
      tf.dispose([scale, zeroPoint, x, y]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rangeToQuantTensors agrees with quantParamsFromRange', () => {
    const before = tf.memory().numTensors;
    for (const [lo, hi, symmetric] of [
      [-1, 3, false],
      [0.5, 2, false],
      [-0.3, 2.54, true],
      [0, 0, false],
    ] as const) {
      const scheme = symmetric ? 'symmetric' : 'asymmetric';
      const p = quantParamsFromRange([lo], [hi], { bits: 8, scheme });
      const t = tf.tidy(() =>
        rangeToQuantTensors(tf.scalar(lo), tf.scalar(hi), p.qmin, p.qmax, symmetric),
      );
      expect(t.scale.dataSync()[0]).toBeCloseTo(p.scale[0]!, 7);
      expect(t.zeroPoint.dataSync()[0]).toBe(p.zeroPoint[0]);
      tf.dispose([t.scale, t.zeroPoint]);
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('straight-through estimator', () => {
  // s = 0.5, z = 0, 3-bit full range [−4, 3]: u = x / 0.5
  const xs = [-2, -2.1, 1.5, 1.6, 0.3, 5, -9, 0];
  const mask = [1, 0, 1, 0, 1, 0, 0, 1]; // u = −4 and u = 3 are inside (inclusive ends)
  const w = [0.7, -1.3, 2.1, 0.4, -0.9, 1.7, 3.3, -2.2];

  it('gradient to x equals dy · mask exactly; scale and zero point get 0', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d(xs);
    const s = tf.scalar(0.5);
    const z = tf.scalar(0);
    const dw = tf.tensor1d(w);
    const [gx, gs, gz] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(fakeQuantize(a, b, c, -4, 3), dw)),
    )([x, s, z]);
    expect(Array.from(gx!.dataSync())).toEqual(w.map((v, i) => Math.fround(v) * mask[i]!));
    expect(gs!.dataSync()[0]).toBe(0);
    expect(gz!.dataSync()[0]).toBe(0);
    tf.dispose([x, s, z, dw, gx!, gs!, gz!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per-channel mask through broadcasting', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([
      [0.9, 0.9],
      [-1.2, 5],
    ]);
    const s = tf.tensor1d([0.1, 1]); // grid ±7 steps: channel 0 covers ±0.7, channel 1 ±7
    const z = tf.zeros([2]);
    const g = tf.grad((a: tf.Tensor) => tf.sum(fakeQuantize(a, s, z, -7, 7)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 0, 1]);
    tf.dispose([x, s, z, g]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('withoutGradient passes the value and cuts the gradient', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor1d([1, -3, 2]);
    const g = tf.grad((a: tf.Tensor) =>
      tf.add(
        tf.sum(a),
        tf.mul(
          withoutGradient(a, (v) => tf.max(v)),
          10,
        ),
      ),
    )(x);
    expect(Array.from(g.dataSync())).toEqual([1, 1, 1]);
    const v = withoutGradient(x, (t) => tf.max(t));
    expect(v.dataSync()[0]).toBe(2);
    tf.dispose([x, g, v]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects a malformed grid', () => {
    const t = tf.scalar(1);
    expect(() => fakeQuantize(t, t, t, 3, 3)).toThrow(RangeError);
    t.dispose();
  });
});

describe('LSQ (learned step size)', () => {
  it('scale gradient follows g · Σ dy · (q − z − x/s inside, qmin − z / qmax − z clipped)', () => {
    const before = tf.memory().numTensors;
    const rng = createRng(4);
    const n = 200;
    const xv = Float32Array.from({ length: n }, () => 3 * gaussian(rng));
    const dyv = Float32Array.from({ length: n }, () => gaussian(rng));
    for (const [sv, zv, qmin, qmax] of [
      [0.37, 0, -7, 7],
      [0.21, 5, 0, 15],
    ] as const) {
      const x = tf.tensor1d(xv);
      const s = tf.scalar(sv);
      const z = tf.scalar(zv);
      const dy = tf.tensor1d(dyv);
      const [gx, gs, gz] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(fakeQuantizeLsq(a, b, c, qmin, qmax), dy)),
      )([x, s, z]);
      const g = lsqGradScale(n, qmax);
      let expected = 0;
      const expectedGx: number[] = [];
      const sf = Math.fround(sv);
      for (let i = 0; i < n; i++) {
        const u = xv[i]! / sf + zv;
        const inside = u >= qmin && u <= qmax;
        const q = Math.min(qmax, Math.max(qmin, rhe(u)));
        expected += dyv[i]! * (inside ? q - u : q - zv);
        expectedGx.push(inside ? dyv[i]! : 0);
      }
      expect(gs!.dataSync()[0]).toBeCloseTo(g * expected, 3);
      expect(Array.from(gx!.dataSync(), (v) => v + 0)).toEqual(expectedGx); // −0 → 0
      expect(gz!.dataSync()[0]).toBe(0);
      tf.dispose([x, s, z, dy, gx!, gs!, gz!]);
    }
    expect(lsqGradScale(100, 127)).toBeCloseTo(1 / Math.sqrt(12700), 12);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per-channel scale gets its own summed gradient', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([
      [0.25, 9],
      [-0.1, 0.3],
    ]);
    const s = tf.tensor1d([0.1, 1]);
    const z = tf.zeros([2]);
    const gs = tf.grad((b: tf.Tensor) => tf.sum(fakeQuantizeLsq(x, b, z, -7, 7, 1)))(s);
    // ch0: u = 2.5 → q 2 (tie to even), q − u = −0.5; u = −1 → 0. ch1: u = 9 clipped → 7; u = 0.3 → −0.3
    const got = gs.dataSync();
    expect(gs.shape).toEqual([2]);
    expect(got[0]).toBeCloseTo(-0.5, 5);
    expect(got[1]).toBeCloseTo(6.7, 5);
    tf.dispose([x, s, z, gs]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches finite differences of the forward in expectation over a dense input grid', () => {
    // Σ fq(x; s) over evenly spaced x: the inside terms average out (both in the FD and in
    // LSQ's q − x/s), the clipped ends move linearly with s — so dL/ds ≈ LSQ gradient / g.
    const before = tf.memory().numTensors;
    const n = 20001;
    const x = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => -1 + (2.6 * i) / (n - 1)));
    const z = tf.scalar(0);
    const loss = (sv: number) =>
      (
        tf.tidy(() => fakeQuantizeLsq(x, tf.scalar(sv), z, -7, 7).dataSync()) as Float32Array
      ).reduce((a, b) => a + b, 0);
    for (const sv of [0.1, 0.137]) {
      const h = 0.01 * sv;
      const fd = (loss(sv + h) - loss(sv - h)) / (2 * h);
      const s = tf.scalar(sv);
      const gs = tf.grad((b: tf.Tensor) => tf.sum(fakeQuantizeLsq(x, b, z, -7, 7, 1)))(s);
      const lsq = gs.dataSync()[0]!;
      expect(Math.abs(lsq - fd) / Math.abs(fd)).toBeLessThan(0.01);
      tf.dispose([s, gs]);
    }
    tf.dispose([x, z]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('LSQ+ (learned scale and integer zero point)', () => {
  it('forward rounds z; dx, ds and dz = g · Σ dy · (0 inside, −s clipped) by hand', () => {
    const before = tf.memory().numTensors;
    const rng = createRng(6);
    const n = 300;
    const xv = Float32Array.from({ length: n }, () => 2 * gaussian(rng));
    const dyv = Float32Array.from({ length: n }, () => gaussian(rng));
    const [sv, zv, zbar, qmin, qmax] = [0.11, 4.6, 5, 0, 15];
    const [x, s, z, dy] = [tf.tensor1d(xv), tf.scalar(sv), tf.scalar(zv), tf.tensor1d(dyv)];
    const y = fakeQuantizeLsqPlus(x, s, z, qmin, qmax);
    const ref = tf.tidy(() => fakeQuantize(x, s, tf.scalar(zbar), qmin, qmax));
    expect(Array.from(y.dataSync())).toEqual(Array.from(ref.dataSync()));
    const [gx, gs, gz] = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
      tf.sum(tf.mul(fakeQuantizeLsqPlus(a, b, c, qmin, qmax), dy)),
    )([x, s, z]);
    const g = lsqGradScale(n, qmax);
    const sf = Math.fround(sv);
    let [ds, dz, clipped] = [0, 0, 0];
    const expectedGx: number[] = [];
    for (let i = 0; i < n; i++) {
      const u = xv[i]! / sf + zbar;
      const inside = u >= qmin && u <= qmax;
      const q = Math.min(qmax, Math.max(qmin, rhe(u)));
      ds += dyv[i]! * (inside ? q - u : q - zbar);
      dz += inside ? 0 : -dyv[i]! * sf;
      clipped += inside ? 0 : 1;
      expectedGx.push(inside ? dyv[i]! : 0);
    }
    expect(clipped).toBeGreaterThan(20); // both ends of the grid are exercised
    expect(Array.from(gx!.dataSync(), (v) => v + 0)).toEqual(expectedGx);
    expect(gs!.dataSync()[0]).toBeCloseTo(g * ds, 3);
    expect(gz!.dataSync()[0]).toBeCloseTo(g * dz, 4);
    tf.dispose([x, s, z, dy, y, ref, gx!, gs!, gz!]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('per-channel zero points get their own summed gradient', () => {
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([
      [-0.25, 9],
      [0.2, -3],
    ]);
    const s = tf.tensor1d([0.1, 1]);
    const z = tf.tensor1d([2, 1.2]); // z̄ = [2, 1]: grids [−0.2, 1.3] and [−1, 14]
    const gz = tf.grad((c: tf.Tensor) => tf.sum(fakeQuantizeLsqPlus(x, s, c, 0, 15, 1)))(z);
    // ch0: −0.25 clipped (u = −0.5) → −0.1; ch1: −3 clipped (u = −2) → −1
    expect(gz.shape).toEqual([2]);
    expect(gz.dataSync()[0]).toBeCloseTo(-0.1, 6);
    expect(gz.dataSync()[1]).toBeCloseTo(-1, 6);
    tf.dispose([x, s, z, gz]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('matches finite differences in s and in whole steps of z over a dense input grid', () => {
    // As for LSQ: inside terms average out, the clipped ends move linearly with s and z; z is
    // an integer in the forward, so its difference quotient takes whole steps (L(z±1)).
    const before = tf.memory().numTensors;
    const n = 20001;
    const x = tf.tensor1d(Float32Array.from({ length: n }, (_, i) => -1 + (2.6 * i) / (n - 1)));
    const loss = (sv: number, zv: number) =>
      (
        tf.tidy(() =>
          fakeQuantizeLsqPlus(x, tf.scalar(sv), tf.scalar(zv), 0, 15).dataSync(),
        ) as Float32Array
      ).reduce((a, b) => a + b, 0);
    for (const [sv, zv] of [
      [0.1, 5],
      [0.07, 9],
    ] as const) {
      const h = 0.01 * sv;
      const fdS = (loss(sv + h, zv) - loss(sv - h, zv)) / (2 * h);
      const fdZ = (loss(sv, zv + 1) - loss(sv, zv - 1)) / 2;
      const [s, z] = [tf.scalar(sv), tf.scalar(zv)];
      const [gs, gz] = tf.grads((b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(fakeQuantizeLsqPlus(x, b, c, 0, 15, 1)),
      )([s, z]);
      expect(Math.abs(gs!.dataSync()[0]! - fdS) / Math.abs(fdS)).toBeLessThan(0.01);
      expect(Math.abs(gz!.dataSync()[0]! - fdZ) / Math.abs(fdZ)).toBeLessThan(0.01);
      tf.dispose([s, z, gs!, gz!]);
    }
    x.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('kernelMinMaxGrid equals the PTQ quantizer per channel and per tensor (to an ulp)', () => {
    const before = tf.memory().numTensors;
    const rng = createRng(8);
    const values = Float32Array.from({ length: 24 }, () => gaussian(rng) + 0.4);
    const w = tf.tensor(values, [3, 2, 4]);
    for (const [perChannel, scheme] of [
      [true, 'asymmetric'],
      [false, 'asymmetric'],
      [true, 'symmetric'],
    ] as const) {
      const p = computeQuantParams(values, [3, 2, 4], {
        bits: 4,
        scheme,
        axis: perChannel ? 2 : null,
      });
      const t = kernelMinMaxGrid(w, perChannel, p.qmin, p.qmax, scheme === 'symmetric');
      // float32 (max − min) may differ from the double one by an ulp: equal to 1e-6 relative
      t.scale
        .dataSync()
        .forEach((v, c) => expect(Math.abs(v / p.scale[c]! - 1)).toBeLessThan(1e-6));
      expect(Array.from(t.zeroPoint.dataSync())).toEqual(Array.from(p.zeroPoint));
      tf.dispose([t.scale, t.zeroPoint]);
    }
    w.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
