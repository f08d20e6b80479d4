/**
 * Batch-norm folding, the step before quantizing a layer followed by batch normalization: the
 * BN affine map is merged into the kernel and bias so only one weight tensor gets quantized.
 * (This app's architectures have no BatchNorm; the function is here for completeness.)
 */

export interface FoldedLayer {
  kernel: Float32Array;
  bias: Float32Array;
}

/**
 * Folds BN(y) = γ·(y − μ)/√(σ² + ε) + β into y = x·W + b, output channels on the kernel's last
 * axis: W'[…, c] = W[…, c]·γ_c/√(σ²_c + ε), b'_c = (b_c − μ_c)·γ_c/√(σ²_c + ε) + β_c.
 * A null bias counts as zeros. ε defaults to 1e-3 (the tfjs BatchNormalization default).
 */
export function foldBatchNorm(
  kernel: Float32Array,
  bias: Float32Array | null,
  gamma: Float32Array,
  beta: Float32Array,
  mean: Float32Array,
  variance: Float32Array,
  eps = 1e-3,
): FoldedLayer {
  const channels = gamma.length;
  if ([beta, mean, variance].some((v) => v.length !== channels) || channels === 0) {
    throw new RangeError('γ, β, mean and variance need one non-empty entry per output channel.');
  }
  if (kernel.length % channels !== 0 || (bias !== null && bias.length !== channels)) {
    throw new RangeError(
      `A kernel of ${kernel.length} values and a bias of ${bias?.length ?? 0} do not match ` +
        `${channels} output channels on the last axis.`,
    );
  }
  if (!(eps >= 0) || variance.some((v) => !(v + eps > 0))) {
    throw new RangeError('Variance + ε must be above 0 in every channel.');
  }
  const factor = Float64Array.from(gamma, (g, c) => g / Math.sqrt(variance[c]! + eps));
  return {
    kernel: Float32Array.from(kernel, (w, i) => w * factor[i % channels]!),
    bias: Float32Array.from(factor, (f, c) => ((bias?.[c] ?? 0) - mean[c]!) * f + beta[c]!),
  };
}
