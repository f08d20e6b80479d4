/**
 * QAT layers: dense and conv2d whose kernel is fake-quantized on every forward pass; the weight
 * grid, quantizers and serialization they share live in qlayer-base.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { FakeQuantWeightLayer } from './qlayer-base';
import type { Kwargs, LayerArgs, Shape, WeightQuantArgs } from './qlayer-base';

export { QLAYER_ACTIVATIONS } from './qlayer-base';
export type { QLayerActivation, WeightQuantArgs, WeightQuantizer } from './qlayer-base';

export interface FakeQuantDenseArgs extends LayerArgs, WeightQuantArgs {
  units: number;
}

/** y = act(x · Q(W) + b), Q = weight fake-quant; kernel [in, out], channels = out. */
export class FakeQuantDense extends FakeQuantWeightLayer {
  static className = 'FakeQuantDense';
  readonly units: number;

  constructor(args: FakeQuantDenseArgs) {
    super(args);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new RangeError(`A dense layer needs a whole number of units ≥ 1, got ${args.units}.`);
    }
    this.units = args.units;
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inDim = shape[shape.length - 1];
    if (typeof inDim !== 'number') throw new Error('FakeQuantDense needs a known input size.');
    this.buildWeights([inDim, this.units], this.units);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const inDim = x.shape[x.rank - 1]!;
      const y = tf.matMul(tf.reshape(x, [-1, inDim]), this.quantizedKernel() as tf.Tensor2D);
      return this.finish(tf.reshape(y, [...x.shape.slice(0, -1), this.units]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
tf.serialization.registerClass(FakeQuantDense);

export interface FakeQuantConv2DArgs extends LayerArgs, WeightQuantArgs {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
}

/** y = act(conv2d(x, Q(K)) + b), NHWC input, HWIO kernel, channels = filters (last kernel axis). */
export class FakeQuantConv2D extends FakeQuantWeightLayer {
  static className = 'FakeQuantConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';

  constructor(args: FakeQuantConv2DArgs) {
    super(args);
    const pair = (v: number | [number, number]): [number, number] =>
      Array.isArray(v) ? v : [v, v];
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize);
    this.strides = pair(args.strides ?? 1);
    this.padding = args.padding ?? 'valid';
    const ints = [this.filters, ...this.kernelSize, ...this.strides];
    if (!ints.every((v) => Number.isInteger(v) && v >= 1)) {
      throw new RangeError('Conv filters, kernel size and strides must be whole numbers ≥ 1.');
    }
  }

  override build(inputShape: Shape | Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const inC = shape[3];
    if (shape.length !== 4 || typeof inC !== 'number') {
      throw new Error('FakeQuantConv2D needs NHWC input with a known channel count.');
    }
    this.buildWeights([...this.kernelSize, inC, this.filters], this.filters);
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as Shape;
    const out = (size: number | null | undefined, k: number, s: number): number | null => {
      if (typeof size !== 'number') return null;
      return this.padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - k + 1) / s);
    };
    return [
      shape[0] ?? null,
      out(shape[1], this.kernelSize[0], this.strides[0]),
      out(shape[2], this.kernelSize[1], this.strides[1]),
      this.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const k = this.quantizedKernel() as tf.Tensor4D;
      return this.finish(tf.conv2d(x, k, this.strides, this.padding));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
    };
  }
}
tf.serialization.registerClass(FakeQuantConv2D);
