/**
 * Activation fake-quant layer for QAT and static PTQ. Keeps the activation range as non-trainable
 * weights (so it saves and loads with the model): in training mode it updates an EMA of the batch
 * min/max, m ← momentum·m + (1 − momentum)·batch m (the first batch sets m), then fake-quantizes
 * with that range; in inference the range is frozen. Until a range exists the layer is identity.
 */
import * as tf from '@tensorflow/tfjs';
import { fakeQuantize, rangeToQuantTensors, withoutGradient } from './fake-quant';
import { quantRange } from '../quantizer';

type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Shape = (number | null)[];
type Kwargs = Record<string, unknown>;

export interface ActivationFakeQuantArgs extends LayerArgs {
  /** Bits per activation, 2..16 (default 8). */
  bits?: number;
  /** EMA momentum in [0, 1) (default 0.99). */
  momentum?: number;
  /** Signed symmetric grid (default false: unsigned asymmetric with a zero point). */
  symmetric?: boolean;
}

export class ActivationFakeQuant extends tf.layers.Layer {
  static className = 'ActivationFakeQuant';
  readonly bits: number;
  readonly momentum: number;
  readonly symmetric: boolean;
  private rangeMin: tf.LayerVariable | null = null;
  private rangeMax: tf.LayerVariable | null = null;
  private calibrated: tf.LayerVariable | null = null;

  constructor(args: ActivationFakeQuantArgs = {}) {
    super(args);
    this.bits = args.bits ?? 8;
    quantRange(this.bits, 'asymmetric'); // validates bits with a readable message
    this.momentum = args.momentum ?? 0.99;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new RangeError(`EMA momentum must be in [0, 1), got ${this.momentum}.`);
    }
    this.symmetric = args.symmetric ?? false;
  }

  override build(): void {
    const zeros = tf.initializers.zeros();
    this.rangeMin = this.addWeight('range_min', [1], 'float32', zeros, undefined, false);
    this.rangeMax = this.addWeight('range_max', [1], 'float32', zeros, undefined, false);
    this.calibrated = this.addWeight('calibrated', [1], 'float32', zeros, undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape | Shape[] {
    return inputShape;
  }

  private vars(): [tf.LayerVariable, tf.LayerVariable, tf.LayerVariable] {
    if (!this.rangeMin || !this.rangeMax || !this.calibrated) {
      throw new Error(`Layer ${this.name} is not built yet.`);
    }
    return [this.rangeMin, this.rangeMax, this.calibrated];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      this.invokeCallHook(inputs, kwargs);
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const [minVar, maxVar, calVar] = this.vars();
      const seen = tf.greater(calVar.read(), 0);
      let lo = minVar.read();
      let hi = maxVar.read();
      if (kwargs['training'] === true) {
        const m = this.momentum;
        const ema = (old: tf.Tensor, batch: tf.Tensor) =>
          tf.where(seen, tf.add(tf.mul(old, m), tf.mul(batch, 1 - m)), tf.reshape(batch, [1]));
        // The range follows the data but is not trained through: no gradient into min/max.
        lo = ema(
          lo,
          withoutGradient(x, (v) => tf.min(v)),
        );
        hi = ema(
          hi,
          withoutGradient(x, (v) => tf.max(v)),
        );
        minVar.write(lo);
        maxVar.write(hi);
        calVar.write(tf.onesLike(calVar.read()));
        const { qmin, qmax } = quantRange(this.bits, this.symmetric ? 'symmetric' : 'asymmetric');
        const { scale, zeroPoint } = rangeToQuantTensors(lo, hi, qmin, qmax, this.symmetric);
        return fakeQuantize(x, scale, zeroPoint, qmin, qmax);
      }
      const { qmin, qmax } = quantRange(this.bits, this.symmetric ? 'symmetric' : 'asymmetric');
      const { scale, zeroPoint } = rangeToQuantTensors(lo, hi, qmin, qmax, this.symmetric);
      return tf.where(seen, fakeQuantize(x, scale, zeroPoint, qmin, qmax), x);
    });
  }

  /** Sets the range directly (static PTQ from an observer) and marks the layer calibrated. */
  setRange(min: number, max: number): void {
    if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max)) {
      throw new RangeError(`Invalid activation range [${min}, ${max}].`);
    }
    const [minVar, maxVar, calVar] = this.vars();
    tf.tidy(() => {
      minVar.write(tf.tensor1d([min]));
      maxVar.write(tf.tensor1d([max]));
      calVar.write(tf.tensor1d([1]));
    });
  }

  /** The current range and whether any has been set or observed yet. */
  getRange(): { min: number; max: number; calibrated: boolean } {
    const [minVar, maxVar, calVar] = this.vars();
    return {
      min: minVar.read().dataSync()[0]!,
      max: maxVar.read().dataSync()[0]!,
      calibrated: calVar.read().dataSync()[0]! > 0,
    };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      bits: this.bits,
      momentum: this.momentum,
      symmetric: this.symmetric,
    };
  }
}
tf.serialization.registerClass(ActivationFakeQuant);
