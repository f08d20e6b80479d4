import * as tf from '@tensorflow/tfjs';
import type { KernelShape, RankChoice } from '../factorize';
import {
  breakEvenRank,
  convKernelToMatrix,
  matrixFactorsToConv,
  rankForEnergy,
  spectrum,
  truncateSvd,
} from '../factorize';
import { svd } from '../svd';
import type { NamedLayer } from '../../../engine/network/layers';

/**
 * Low-rank factoring of plain layers for the lowrank stage: a dense layer y = f(x·W + b), W [m×n],
 * becomes y = f((x·U)·V + b) with U [m×r] (`<name>_u`, linear, no bias) and V [r×n] (`<name>_v`,
 * the bias and the activation), from the truncated SVD W ≈ U_r·√S_r · √S_r·V_rᵀ. A conv kernel,
 * viewed as [k·k·cin, cout], becomes a k×k conv with r filters and a 1×1 conv the same way.
 * buildLowRankModel is plain.ts' buildFromLayers plus bias-free layers (that one always adds a bias).
 */

/** A plain layer that may lack a bias (the `_u` factor). */
export type LowRankLayer = NamedLayer & { useBias?: boolean };

/** What happened to one weight layer. */
export interface LowRankDecision {
  name: string;
  /** The weight as a matrix: dense m×n, conv [k·k·cin]×cout. */
  rows: number;
  cols: number;
  /** Kept rank r (0 when the choice was impossible for this layer). */
  rank: number;
  factored: boolean;
  /** Share of Σσ² kept at rank r, 0..1. */
  energyKept: number;
  /** Kernel parameters before and after (biases unchanged, not counted). */
  paramsBefore: number;
  paramsAfter: number;
  /** Why a layer stayed as it was. */
  reason?: string;
}

/** Factors one dense (or conv) layer at the chosen rank, or keeps it (with the reason). */
function factorLayer(
  layer: Extract<NamedLayer, { kind: 'dense' | 'conv' }>,
  choice: RankChoice,
  requireSaving: boolean,
): { layers: LowRankLayer[]; decision: LowRankDecision } {
  const shape: KernelShape =
    layer.kind === 'dense' ? [1, 1, ...layer.kernelShape] : layer.kernelShape;
  const m = convKernelToMatrix(layer.kernel, shape);
  const d = svd(m.data, m.rows, m.cols);
  const before = m.rows * m.cols;
  const base = { name: layer.name, rows: m.rows, cols: m.cols, paramsBefore: before };
  const k = d.k;
  if ('rank' in choice && choice.rank > k) {
    const reason = `rank ${choice.rank} > min(m, n) = ${k}`;
    return {
      layers: [layer],
      decision: { ...base, rank: 0, factored: false, energyKept: 1, paramsAfter: before, reason },
    };
  }
  const rank = 'rank' in choice ? choice.rank : rankForEnergy(d.s, choice.energy);
  const energyKept = spectrum(d.s).cumulativeEnergy[rank - 1] ?? 1;
  const after = (m.rows + m.cols) * rank;
  if (requireSaving && after >= before) {
    const reason = `rank ${rank} would not save parameters ((m + n)·r ≥ m·n; break-even r ≤ ${breakEvenRank(m.rows, m.cols)})`;
    return {
      layers: [layer],
      decision: { ...base, rank, factored: false, energyKept, paramsAfter: before, reason },
    };
  }
  const factors = truncateSvd(d, rank);
  const decision = { ...base, rank, factored: true, energyKept, paramsAfter: after };
  const { name, activation } = layer;
  if (layer.kind === 'dense') {
    const [rows, cols] = layer.kernelShape;
    return {
      decision,
      layers: [
        {
          kind: 'dense',
          name: `${name}_u`,
          kernel: factors.a,
          kernelShape: [rows, rank],
          bias: new Float32Array(rank),
          activation: 'linear',
          useBias: false,
        },
        {
          kind: 'dense',
          name: `${name}_v`,
          kernel: factors.b,
          kernelShape: [rank, cols],
          bias: layer.bias,
          activation,
        },
      ],
    };
  }
  const conv = matrixFactorsToConv(factors, layer.kernelShape);
  return {
    decision,
    layers: [
      {
        kind: 'conv',
        name: `${name}_u`,
        kernel: conv.spatial.data,
        kernelShape: conv.spatial.shape,
        bias: new Float32Array(rank),
        activation: 'linear',
        useBias: false,
      },
      {
        kind: 'conv',
        name: `${name}_v`,
        kernel: conv.pointwise.data,
        kernelShape: conv.pointwise.shape,
        bias: layer.bias,
        activation,
      },
    ],
  };
}

/**
 * Replaces each dense layer W [m×n] (and conv, with `convs`) by its rank-r factors U [m×r], V [r×n]
 * where (m + n)·r < m·n (or always, with requireSaving false); r is given or the smallest with
 * Σ_{i≤r} σᵢ² ≥ energy·Σσᵢ².
 */
export function factorLayers(
  layers: readonly NamedLayer[],
  choice: RankChoice,
  options: { convs?: boolean; requireSaving?: boolean } = {},
): { layers: LowRankLayer[]; decisions: LowRankDecision[] } {
  const out: LowRankLayer[] = [];
  const decisions: LowRankDecision[] = [];
  for (const layer of layers) {
    if (layer.kind === 'dense' || (layer.kind === 'conv' && options.convs)) {
      const result = factorLayer(layer, choice, options.requireSaving ?? true);
      out.push(...result.layers);
      decisions.push(result.decision);
    } else {
      out.push(layer);
    }
  }
  return { layers: out, decisions };
}

/** Builds a plain sequential float model from plain layers, with bias-free `_u` factors. */
export function buildLowRankModel(
  layers: readonly LowRankLayer[],
  inputShape: number[],
): tf.Sequential {
  const model = tf.sequential();
  const values: tf.Tensor[] = [];
  layers.forEach((layer, i) => {
    const common = { ...(i === 0 ? { inputShape } : {}), name: layer.name };
    if (layer.kind === 'dense' || layer.kind === 'conv') {
      const useBias = layer.useBias ?? true;
      const activation = layer.activation ?? 'linear';
      if (layer.kind === 'dense') {
        model.add(tf.layers.dense({ ...common, units: layer.kernelShape[1], activation, useBias }));
      } else {
        const [kh, kw, , filters] = layer.kernelShape;
        model.add(
          tf.layers.conv2d({
            ...common,
            filters,
            kernelSize: [kh, kw],
            padding: 'valid',
            activation,
            useBias,
          }),
        );
      }
      values.push(tf.tensor(layer.kernel, layer.kernelShape));
      if (useBias) values.push(tf.tensor1d(layer.bias));
    } else if (layer.kind === 'maxpool') {
      model.add(tf.layers.maxPooling2d({ ...common, poolSize: 2, strides: 2 }));
    } else {
      model.add(tf.layers.flatten(common));
    }
  });
  model.setWeights(values);
  tf.dispose(values);
  return model;
}
