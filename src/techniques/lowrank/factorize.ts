import { svd } from './svd';
import type { Svd } from './svd';

/** How to pick the kept rank r: directly, or the smallest r keeping a share of the energy Σσ². */
export type RankChoice = { rank: number } | { energy: number };

/**
 * Where the singular values go. 'sqrt' (default): A = U_r·√S, B = √S·V_rᵀ, so both factors have
 * the same scale (kinder to fine-tuning and to quantizing them later). 'left': A = U_r·S, B = V_rᵀ.
 */
export type SingularValueSplit = 'sqrt' | 'left';

/** W[rows×cols] ≈ A·B with A [rows×rank] and B [rank×cols], both row-major float32. */
export interface LowRankFactors {
  a: Float32Array;
  b: Float32Array;
  rows: number;
  cols: number;
  rank: number;
}

/** Singular values with their cumulative energy share: energy_r = Σ_{i≤r} σᵢ² / Σ σᵢ² (0..1). */
export interface Spectrum {
  singularValues: number[];
  /** cumulativeEnergy[r − 1] is the share of Σσ² kept at rank r. */
  cumulativeEnergy: number[];
}

/** Conv kernel shape in tfjs layout: [height, width, inChannels, outChannels] (HWIO). */
export type KernelShape = [number, number, number, number];

/** A conv factored into a conv with r filters (H×W×I×r) and then a 1×1 conv (1×1×r×O). */
export interface ConvFactors {
  spatial: { data: Float32Array; shape: KernelShape };
  pointwise: { data: Float32Array; shape: KernelShape };
  rank: number;
}

/** Spectrum of σ (descending): σ list and energy Σ_{i≤r} σᵢ² / Σ σᵢ² per rank r (all 1 if σ = 0). */
export function spectrum(s: ArrayLike<number>): Spectrum {
  const singularValues = Array.from(s);
  const cumulative: number[] = [];
  let acc = 0;
  for (const sigma of singularValues) cumulative.push((acc += sigma * sigma));
  const total = acc;
  const cumulativeEnergy = cumulative.map((c) => (total === 0 ? 1 : c / total));
  return { singularValues, cumulativeEnergy };
}

/**
 * Smallest rank r with Σ_{i≤r} σᵢ² ≥ energy · Σ σᵢ², energy in (0, 1]; a relative slack of 1e-12
 * absorbs rounding when energy is exactly a cumulative share. An all-zero σ gives rank 1.
 */
export function rankForEnergy(s: ArrayLike<number>, energy: number): number {
  if (!(Number.isFinite(energy) && energy > 0 && energy <= 1)) {
    throw new RangeError(`Energy threshold must be in (0, 1], got ${energy}.`);
  }
  if (s.length === 0) throw new RangeError('rankForEnergy needs at least one singular value.');
  let total = 0;
  for (let i = 0; i < s.length; i++) total += s[i]! * s[i]!;
  const target = energy * total * (1 - 1e-12);
  let acc = 0;
  for (let i = 0; i < s.length; i++) {
    acc += s[i]! * s[i]!;
    if (acc >= target) return i + 1;
  }
  return s.length;
}

/**
 * Relative Frobenius error of the best rank-r approximation (Eckart–Young):
 * ‖W − W_r‖_F / ‖W‖_F = √(Σ_{i>r} σᵢ² / Σ σᵢ²), unitless in 0..1.
 */
export function relativeTruncationError(s: ArrayLike<number>, rank: number): number {
  let total = 0;
  let dropped = 0;
  for (let i = 0; i < s.length; i++) {
    total += s[i]! * s[i]!;
    if (i >= rank) dropped += s[i]! * s[i]!;
  }
  return total === 0 ? 0 : Math.sqrt(dropped / total);
}

/** Parameters of the dense m×n weight: m·n (bias not counted). */
export function denseParamCount(rows: number, cols: number): number {
  return rows * cols;
}

/** Parameters of the two factors A [m×r] and B [r×n]: (m + n)·r (bias not counted). */
export function lowRankParamCount(rows: number, cols: number, rank: number): number {
  return (rows + cols) * rank;
}

/** Largest rank that still saves parameters: max r with (m + n)·r < m·n, i.e. ⌊(m·n − 1)/(m + n)⌋. */
export function breakEvenRank(rows: number, cols: number): number {
  return Math.floor((rows * cols - 1) / (rows + cols));
}

/** The rank a choice means for this spectrum; RangeError unless 1 ≤ rank ≤ min(rows, cols). */
export function resolveRank(s: ArrayLike<number>, choice: RankChoice): number {
  if ('energy' in choice) return rankForEnergy(s, choice.energy);
  const k = s.length;
  if (!Number.isInteger(choice.rank) || choice.rank < 1 || choice.rank > k) {
    throw new RangeError(
      `Rank must be an integer from 1 to min(rows, cols) = ${k}, got ${choice.rank}.`,
    );
  }
  return choice.rank;
}

/** Truncates an SVD to rank r: A = U_r·S_r^p, B = S_r^(1−p)·V_rᵀ with p = ½ ('sqrt') or 1 ('left'). */
export function truncateSvd(
  d: Svd,
  rank: number,
  split: SingularValueSplit = 'sqrt',
): LowRankFactors {
  const { rows, cols, k } = d;
  resolveRank(d.s, { rank });
  const a = new Float32Array(rows * rank);
  const b = new Float32Array(rank * cols);
  for (let t = 0; t < rank; t++) {
    const sigma = d.s[t]!;
    const left = split === 'sqrt' ? Math.sqrt(sigma) : sigma;
    const right = split === 'sqrt' ? Math.sqrt(sigma) : 1;
    for (let i = 0; i < rows; i++) a[i * rank + t] = d.u[i * k + t]! * left;
    for (let j = 0; j < cols; j++) b[t * cols + j] = d.v[j * k + t]! * right;
  }
  return { a, b, rows, cols, rank };
}

/**
 * Truncated SVD factorization W[rows×cols] ≈ A·B, A = U_r·√S_r [rows×r], B = √S_r·V_rᵀ [r×cols]
 * (see SingularValueSplit). For a dense layer y = x·W + b: dense(r, no bias) then dense(cols, b).
 */
export function factorizeMatrix(
  w: Float32Array | Float64Array,
  rows: number,
  cols: number,
  choice: RankChoice,
  split: SingularValueSplit = 'sqrt',
): LowRankFactors {
  const d = svd(w, rows, cols);
  return truncateSvd(d, resolveRank(d.s, choice), split);
}

/**
 * A HWIO conv kernel viewed as the matrix [H·W·I, O]: row (h·W + w)·I + i, column o. In row-major
 * memory this reshape moves nothing, so the data is shared, not copied.
 */
export function convKernelToMatrix(
  kernel: Float32Array,
  shape: KernelShape,
): { data: Float32Array; rows: number; cols: number } {
  const [h, w, inC, outC] = shape;
  if (!shape.every((d) => Number.isInteger(d) && d > 0) || kernel.length !== h * w * inC * outC) {
    throw new RangeError(
      `Kernel of shape [${shape.join(', ')}] needs ${h * w * inC * outC} values, got ${kernel.length}.`,
    );
  }
  return { data: kernel, rows: h * w * inC, cols: outC };
}

/**
 * Splits factors of a kernel matrix [H·W·I, O] ≈ A·B into conv kernels: A → H×W×I×r (same
 * stride/padding/dilation as the original), B → 1×1×r×O (stride 1, takes the bias and activation).
 */
export function matrixFactorsToConv(factors: LowRankFactors, shape: KernelShape): ConvFactors {
  const [h, w, inC, outC] = shape;
  if (factors.rows !== h * w * inC || factors.cols !== outC) {
    throw new RangeError(
      `Factors of a ${factors.rows}×${factors.cols} matrix do not fit kernel [${shape.join(', ')}].`,
    );
  }
  const r = factors.rank;
  return {
    spatial: { data: factors.a, shape: [h, w, inC, r] },
    pointwise: { data: factors.b, shape: [1, 1, r, outC] },
    rank: r,
  };
}

/** Factors a HWIO conv kernel via its [H·W·I, O] matrix: conv(H×W×I×r) then conv(1×1×r×O). */
export function factorizeConvKernel(
  kernel: Float32Array,
  shape: KernelShape,
  choice: RankChoice,
  split: SingularValueSplit = 'sqrt',
): ConvFactors {
  const m = convKernelToMatrix(kernel, shape);
  return matrixFactorsToConv(factorizeMatrix(m.data, m.rows, m.cols, choice, split), shape);
}
