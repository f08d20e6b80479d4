/**
 * Per-layer weight quantization report for the quantization views: SQNR, the weight histogram
 * (before and after quantization, same bins), the quantization grid (scales, zero points) and its
 * clip range. A QAT model reports the grids it trained (learned scales and zero points included);
 * other models the stage's quantizer applied to their weights. Plain data only, so it can cross
 * the worker boundary.
 */
import type { PtqParams } from '../spec';
import { sqnrDb } from '../sqnr';
import type { NamedLayer } from '../../../engine/network/layers';
import { extractLayers } from '../../../engine/network/layer-ir';
import { qatQuantizedLayers } from './qat-model';
import type { QuantizedKernel } from '../weights';
import { layerConfig, quantizeKernel } from '../weights';
import { isWeightLayer } from '../../../engine/network/layers';
import type { ModelHandle } from '../../../engine/network/stage-types';

/** Grid levels listed in a report at most (16-bit grids give only the step and clip range). */
export const MAX_LISTED_LEVELS = 256;

export type ReportParams = Pick<PtqParams, 'weightBits' | 'scheme' | 'granularity'> & {
  powerOfTwo?: boolean;
  /** Mixed precision: the named layers' own weight bits. */
  layerBits?: Readonly<Record<string, number>>;
};

export interface WeightHistogram {
  /** bins + 1 increasing edges in real weight units. */
  edges: number[];
  /** Weights per bin of the float kernel. */
  counts: number[];
  /** Weights per bin of the quantized kernel ŵ (same bins). */
  quantizedCounts: number[];
}

export interface LayerQuantReport {
  name: string;
  kind: 'dense' | 'conv';
  shape: number[];
  bits: number;
  /** 10·log10(Σw² / Σ(w − ŵ)²) in dB (Infinity when exact). */
  sqnrDb: number;
  /** Real range the grid covers: lowest and highest level over all channels. */
  clipMin: number;
  clipMax: number;
  /** Levels (q − z)·s of the widest channel's grid, ascending; null beyond MAX_LISTED_LEVELS. */
  levels: number[] | null;
  /** Step size s per channel (one entry per tensor); power-of-two grids give the smallest step. */
  scales: number[];
  /** Integer zero point z per channel, as scales (all 0 on symmetric grids). */
  zeroPoints: number[];
  histogram: WeightHistogram;
}

/** Equal-width histogram of values over [lo, hi]: bin ⌊(v − lo)/w⌋, w = (hi − lo)/bins (the last bin includes hi). */
export function histogram(values: Float32Array, lo: number, hi: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  const width = (hi - lo) / bins;
  for (const v of values) {
    const bin = width > 0 ? Math.min(bins - 1, Math.max(0, Math.floor((v - lo) / width))) : 0;
    counts[bin] = counts[bin]! + 1;
  }
  return counts;
}

/** Levels of channel c: (q − z_c)·s_c for q in [qmin, qmax]; power-of-two: 0 and ±2^k only. */
function channelLevels(q: QuantizedKernel, c: number, powerOfTwo: boolean): number[] {
  const { scale, zeroPoint, qmin, qmax } = q.params;
  const s = scale[c]!;
  if (powerOfTwo) {
    const out = [0];
    for (let code = 1; code <= qmax; code *= 2) out.push(code * s, -code * s);
    return out.sort((a, b) => a - b);
  }
  const z = zeroPoint[c]!;
  return Array.from({ length: qmax - qmin + 1 }, (_, i) => (qmin + i - z) * s);
}

/** Report of one weight layer under the given quantizer, or on its own (QAT) grid `trained`. */
function layerReport(
  layer: Extract<NamedLayer, { kind: 'dense' | 'conv' }>,
  params: ReportParams,
  bins: number,
  trained?: QuantizedKernel,
): LayerQuantReport {
  const powerOfTwo = !trained && (params.powerOfTwo ?? false);
  const q =
    trained ??
    quantizeKernel(
      layer.kernel,
      layer.kernelShape,
      layerConfig(
        {
          bits: params.weightBits,
          ...(params.layerBits ? { layerBits: params.layerBits } : {}),
          scheme: params.scheme,
          perChannel: params.granularity === 'per-channel',
          powerOfTwo,
        },
        layer.name,
      ),
    );
  const { scale, zeroPoint, qmin, qmax } = q.params;
  let clipMin = Infinity;
  let clipMax = -Infinity;
  let widest = 0;
  for (let c = 0; c < scale.length; c++) {
    clipMin = Math.min(clipMin, (qmin - zeroPoint[c]!) * scale[c]!);
    clipMax = Math.max(clipMax, (qmax - zeroPoint[c]!) * scale[c]!);
    if (scale[c]! > scale[widest]!) widest = c;
  }
  const levelCount = powerOfTwo ? 2 * Math.log2(qmax) + 3 : qmax - qmin + 1;
  let lo = clipMin;
  let hi = clipMax;
  for (const v of layer.kernel) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const edges = Array.from({ length: bins + 1 }, (_, i) => lo + ((hi - lo) * i) / bins);
  return {
    name: layer.name,
    kind: layer.kind,
    shape: [...layer.kernelShape],
    bits: q.params.bits,
    sqnrDb: sqnrDb(layer.kernel, q.dequantized),
    clipMin,
    clipMax,
    levels: levelCount <= MAX_LISTED_LEVELS ? channelLevels(q, widest, powerOfTwo) : null,
    scales: Array.from(scale),
    zeroPoints: Array.from(zeroPoint),
    histogram: {
      edges,
      counts: histogram(layer.kernel, lo, hi, bins),
      quantizedCounts: histogram(q.dequantized, lo, hi, bins),
    },
  };
}

/**
 * Per-layer weight quantization report of a handle's model (or plain layers) under the stage's
 * weight quantizer: SQNR in dB, histograms over `bins` equal bins, grid levels and clip range.
 */
export async function quantizationReport(
  source: ModelHandle | readonly NamedLayer[],
  params: ReportParams,
  bins = 64,
): Promise<LayerQuantReport[]> {
  if (!Number.isInteger(bins) || bins < 1) {
    throw new RangeError(`A histogram needs a whole number of bins ≥ 1, got ${bins}.`);
  }
  if (Array.isArray(source)) {
    const layers = source as readonly NamedLayer[];
    return layers.filter(isWeightLayer).map((layer) => layerReport(layer, params, bins));
  }
  const handle = source as ModelHandle;
  if (handle.floatLayers) {
    // PTQ: the grid applied to the float weights the variant came from (its own quantizer).
    return handle.floatLayers
      .filter(isWeightLayer)
      .map((layer) => layerReport(layer, params, bins));
  }
  const model = handle.model;
  const { kernels } = await qatQuantizedLayers(model);
  return extractLayers(model)
    .filter(isWeightLayer)
    .map((layer) => layerReport(layer, params, bins, kernels.get(layer.name)));
}
