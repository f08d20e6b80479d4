/**
 * tfjs's Adam with the per-variable update as one kernel (t_adam) on wasm with our fused kernels:
 * the same float32 operations in the same order, so the same bits as tf.train.adam, in one pass
 * over θ, g, m and v instead of about twelve kernels per variable. Elsewhere it is tfjs's Adam.
 */
import * as tf from '@tensorflow/tfjs';
import type { AdamAttrs } from '../backends/wasm-fused-training';
import { ADAM, fusedTrainingActive } from '../backends/wasm-fused-training';

/** AdamOptimizer's private state, which the fused update reads and advances like tfjs does. */
interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
  accumulatedSecondMoment: ({ originalName: string; variable: tf.Variable } | undefined)[];
}

type AdamGradients = Parameters<tf.AdamOptimizer['applyGradients']>[0];

export class FusedAdamOptimizer extends tf.AdamOptimizer {
  /** θ ← Adam(θ, g) for each named gradient: fused on wasm, else AdamOptimizer's own. */
  override applyGradients(variableGradients: AdamGradients): void {
    if (!fusedTrainingActive()) {
      super.applyGradients(variableGradients);
      return;
    }
    const list = Array.isArray(variableGradients)
      ? variableGradients
      : Object.keys(variableGradients).map((name) => ({
          name,
          tensor: variableGradients[name]!,
        }));
    const state = this as unknown as AdamState;
    const [b1t] = state.accBeta1.dataSync();
    const [b2t] = state.accBeta2.dataSync();
    const attrs: AdamAttrs = {
      beta1: this.beta1,
      beta2: this.beta2,
      a1: Math.fround(1 - (b1t ?? 0)),
      a2: Math.fround(1 - (b2t ?? 0)),
      epsilon: this.epsilon,
      learningRate: this.learningRate,
    };
    tf.tidy(() => {
      list.forEach(({ name, tensor: gradient }, i) => {
        const value = tf.engine().registeredVariables[name]!;
        const slot = (suffix: string) => ({
          originalName: `${name}/${suffix}`,
          variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
        });
        state.accumulatedFirstMoment[i] ??= slot('m');
        state.accumulatedSecondMoment[i] ??= slot('v');
        if (gradient == null) return;
        const m = state.accumulatedFirstMoment[i].variable;
        const v = state.accumulatedSecondMoment[i].variable;
        const [nextValue, nextM, nextV] = tf
          .engine()
          .runKernel(ADAM, { value, gradient, m, v }, attrs as never) as unknown as tf.Tensor[];
        m.assign(nextM!);
        v.assign(nextV!);
        value.assign(nextValue!);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

/** Adam(lr) with tfjs's defaults β₁ = 0.9, β₂ = 0.999, ε = the backend's epsilon. */
export function fusedAdam(learningRate: number): FusedAdamOptimizer {
  return new FusedAdamOptimizer(learningRate, 0.9, 0.999);
}
