/**
 * The training forward of a Sequential model on wasm with our fused kernels: each conv (valid,
 * stride 1) followed by a 2×2 max pool becomes one taped op, p = maxpool₂(f(conv(x, W) + b)),
 * whose forward is one kernel of ours (conv, bias, ReLU and pool in one pass over each image)
 * and whose backward is three: the pool, activation and bias gradient in one pass, then the
 * filter and input gradients. Every other layer runs as the layer itself.
 */
import * as tf from '@tensorflow/tfjs';
import type { FusedActivation } from '../backends/wasm-fused-training';
import {
  ACT_GRAD,
  ACTIVATION_CODE,
  CONV_FORWARD,
  FILTER_GRAD,
  INPUT_GRAD,
  fusedTrainingActive,
} from '../backends/wasm-fused-training';

interface ConvConfig {
  strides?: number[] | number;
  padding?: string;
  dataFormat?: string;
  dilationRate?: number[] | number;
  useBias?: boolean;
  activation?: string;
  kernelSize?: number[] | number;
}

interface PoolConfig {
  poolSize?: number[] | number;
  strides?: number[] | number;
  padding?: string;
}

const pair = (v: number[] | number | undefined, fallback: number) =>
  Array.isArray(v) ? v : [v ?? fallback, v ?? fallback];
const same = (v: number[] | number | undefined, want: number, fallback: number) =>
  pair(v, fallback).every((x) => x === want);

/** The block's activation when `conv` then `pool` fit the fused kernels, else null. */
export function fusableBlock(
  conv: tf.layers.Layer,
  pool: tf.layers.Layer | undefined,
): FusedActivation | null {
  if (conv.getClassName() !== 'Conv2D' || pool?.getClassName() !== 'MaxPooling2D') return null;
  const c = conv.getConfig() as ConvConfig;
  const p = pool.getConfig() as PoolConfig;
  const activation = c.activation ?? 'linear';
  if (!(activation in ACTIVATION_CODE)) return null;
  const squareKernel = pair(c.kernelSize, 1).every((k, _, all) => k === all[0]);
  const convFits =
    same(c.strides, 1, 1) &&
    same(c.dilationRate, 1, 1) &&
    c.padding === 'valid' &&
    (c.dataFormat ?? 'channelsLast') === 'channelsLast' &&
    c.useBias !== false &&
    squareKernel &&
    conv.weights.length === 2;
  const poolFits = same(p.poolSize, 2, 2) && same(p.strides, 2, 2) && p.padding === 'valid';
  return convFits && poolFits ? (activation as FusedActivation) : null;
}

const POOL_ATTRS = { filterSize: [2, 2], strides: [2, 2], pad: 'valid' };

function run(name: string, inputs: Record<string, tf.Tensor>, attrs = {}): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs) as tf.Tensor;
}

function runMany(name: string, inputs: Record<string, tf.Tensor>, attrs = {}): tf.Tensor[] {
  return tf.engine().runKernel(name, inputs, attrs) as unknown as tf.Tensor[];
}

/**
 * [p, y]: y = f(conv(x, W) + b), p = maxpool₂(y). ReLU and linear blocks are one kernel of ours;
 * tanh and sigmoid take our linear conv, then tfjs's activation and pool.
 */
function blockForward(
  x: tf.Tensor,
  filter: tf.Tensor,
  bias: tf.Tensor,
  activation: FusedActivation,
): [tf.Tensor, tf.Tensor] {
  if (activation === 'relu' || activation === 'linear') {
    const attrs = { activation: ACTIVATION_CODE[activation], pooled: true };
    const [p, y] = runMany(CONV_FORWARD, { x, filter, bias }, attrs);
    return [p!, y!];
  }
  const [z] = runMany(CONV_FORWARD, { x, filter, bias }, { activation: 0, pooled: false });
  const y = run(activation === 'tanh' ? 'Tanh' : 'Sigmoid', { x: z! });
  z!.dispose();
  return [run('MaxPool', { x: y }, POOL_ATTRS), y];
}

/**
 * p = maxpool₂(f(conv(x, W) + b)) as one op on the tape; its gradient gives dx (zeros unless
 * `inputGradient`: the first block's input is data), dW and db from the fused kernels.
 */
export function convPoolBlock(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  b: tf.Tensor1D,
  activation: FusedActivation,
  inputGradient: boolean,
): tf.Tensor4D {
  const block = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, filter, bias, save] = args as [
      tf.Tensor4D,
      tf.Tensor4D,
      tf.Tensor1D,
      tf.GradSaveFunc,
    ];
    const [p, y] = blockForward(input, filter, bias, activation);
    save([input, filter, y]);
    return {
      value: p,
      gradFunc: (dp, saved) => {
        const [sx, sw, sy] = saved as [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D];
        const [dz, db] = runMany(
          ACT_GRAD,
          { y: sy, dy: dp as tf.Tensor },
          { activation: ACTIVATION_CODE[activation], pooled: true },
        ) as [tf.Tensor, tf.Tensor];
        const dw = run(FILTER_GRAD, { x: sx, dz });
        const dx = inputGradient ? run(INPUT_GRAD, { dz, filter: sw }) : tf.zerosLike(sx);
        dz.dispose();
        return [dx, dw, db];
      },
    };
  });
  return block(x, w, b) as tf.Tensor4D;
}

/**
 * logits = model(x) for a training step: the fused path for the conv-pool blocks of a
 * Sequential model on wasm when the kernels are loaded, else model.apply(x, training).
 */
export function trainingLogits(model: tf.LayersModel, x: tf.Tensor): tf.Tensor {
  if (!(model instanceof tf.Sequential) || !fusedTrainingActive())
    return model.apply(x, { training: true }) as tf.Tensor;
  const layers = model.layers.filter((l) => l.getClassName() !== 'InputLayer');
  let h = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const activation = fusableBlock(layer, layers[i + 1]);
    if (activation) {
      const [kernel, bias] = layer.weights.map((v) => v.read());
      h = convPoolBlock(
        h as tf.Tensor4D,
        kernel as tf.Tensor4D,
        bias as tf.Tensor1D,
        activation,
        i > 0,
      );
      i++;
      continue;
    }
    h = layer.apply(h, { training: true }) as tf.Tensor;
  }
  return h;
}
