import type * as tf from '@tensorflow/tfjs';
import type { Variant } from '../experiment/stages';
import { lastWeightQuantizer } from '../techniques/registry';
import type { Dataset } from './data/types';
import type { LayerSpectrum } from '../techniques/lowrank/stage/lowrank';
import { lowRankReport } from '../techniques/lowrank/stage/lowrank';
import type { PruningReport } from '../techniques/prune/stage/report';
import { pruningReport } from '../techniques/prune/stage/report';
import type { LayerQuantReport, ReportParams } from '../techniques/quantize/stage/report';
import { quantizationReport } from '../techniques/quantize/stage/report';
import type { ModelHandle, SharedCodebook } from './network/stage-types';
import type { TemperatureExplorerData } from '../techniques/distill/stage/distill';
import { temperatureExplorer } from '../techniques/distill/stage/distill';

/** What the technique views show for one model: plain data only. */
export interface Inspection {
  source: string;
  quant: { params: ReportParams; layers: LayerQuantReport[] };
  /** Pruning, with each layer's kernel weights in the teacher ("before") for the lab table. */
  prune: PruningReport & { before: { name: string; count: number; nonZeros: number }[] };
  lowrank: LayerSpectrum[];
  /** Weight sharing: each shared layer's centroids on its weight histogram (empty otherwise). */
  share: readonly SharedCodebook[];
}

/** The weight quantizer a variant used (its last PTQ/QAT stage), or int8 per-channel. */
export function quantizerOf(variant: Variant | null): ReportParams {
  const last = variant ? lastWeightQuantizer(variant.stages) : null;
  if (last) return last.quantizer;
  return { weightBits: 8, scheme: 'symmetric', granularity: 'per-channel' };
}

/**
 * Reports of a model for the views: weight histograms with the quantization grid and SQNR,
 * per-layer sparsity with a chosen layer's mask, singular-value spectra and shared codebooks.
 */
export async function inspectHandle(
  source: string,
  handle: ModelHandle,
  quantizer: ReportParams,
  layerName?: string,
  teacher: ModelHandle = handle,
): Promise<Inspection> {
  const report = pruningReport(handle, layerName);
  const before = teacher === handle ? report : pruningReport(teacher);
  return {
    source,
    quant: { params: quantizer, layers: await quantizationReport(handle, quantizer, 48) },
    prune: {
      ...report,
      before: before.layers.map(({ name, count, nonZeros }) => ({ name, count, nonZeros })),
    },
    lowrank: lowRankReport(handle),
    share: handle.codebooks ?? [],
  };
}

/** Temperature explorer for test example `index`: teacher and (optionally) a student. */
export async function exploreTemperature(
  data: Dataset,
  index: number,
  teacher: tf.LayersModel,
  student: tf.LayersModel | null,
): Promise<TemperatureExplorerData & { label: number }> {
  const size = data.inputShape.reduce((a, b) => a * b, 1);
  const i = Math.max(0, Math.min(data.test.count - 1, Math.floor(index)));
  const x = data.test.x.slice(i * size, (i + 1) * size);
  const result = await temperatureExplorer(teacher, student, x, data.inputShape);
  return { ...result, label: data.test.y[i] ?? 0 };
}
