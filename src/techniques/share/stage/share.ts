import * as tf from '@tensorflow/tfjs';
import type { ShareParams } from '../spec';
import { kmeans1d } from '../kmeans';
import { histogram } from '../../quantize/stage/report';
import { trainStageModel } from '../../finetune/stage/finetune';
import type { TensorSizeSpec } from '../../../engine/measure/size';
import type { NamedLayer, WeightLayer } from '../../../engine/network/layers';
import { isWeightLayer, layerMacs } from '../../../engine/network/layers';
import { buildFromLayers, extractLayers } from '../../../engine/network/layer-ir';
import type {
  ModelHandle,
  SharedCodebook,
  StageContext,
} from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';
import { SharedConv2D, SharedDense, SharedWeightLayer } from './shared-layers';

/**
 * The weight-sharing stage (Deep Compression's k-means quantization): each dense and conv kernel is
 * clustered into k = 2^bits centroids; every weight becomes the index of its centroid, ŵᵢ = C[Aᵢ].
 * Pruned zeros (input kernels stored sparse) stay exact zeros outside the codebook. Optional
 * fine-tuning trains the centroids with the gradients of all weights sharing each one summed. The
 * output is a plain float model holding C[A] (what a loader rebuilds from indices and codebook);
 * storage counts bits-wide indices plus 4·k bytes of fp32 centroids per layer.
 */

/** Bins of the weight histogram the view draws the centroids on. */
const HISTOGRAM_BINS = 48;

/** One layer's clustering: centroids C, index of each kernel weight (k = pruned zero). */
interface LayerCodebook {
  layer: WeightLayer;
  centroids: Float32Array;
  assignment: Uint16Array;
  /** Weights that carry a centroid (pruned zeros excluded). */
  clustered: number;
  /** Their values before sharing, binned for the view. */
  histogram: { edges: number[]; counts: number[] };
  pruned: boolean;
}

function checkInput(input: ModelHandle): NamedLayer[] {
  if (input.predict || input.storage.some((spec) => spec.bits < 32)) {
    throw new StageError(
      'Weight sharing clusters float weights: put it before quantization (PTQ or QAT).',
    );
  }
  try {
    return extractLayers(input.model);
  } catch (error) {
    throw new StageError(
      'Weight sharing reads models made of dense, conv, max-pool and flatten layers only: ' +
        `${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

/** Whether the input stores this layer's kernel pruned (its zeros are kept out of the codebook). */
function isPruned(input: ModelHandle, layer: WeightLayer): boolean {
  const spec = input.storage.find((s) => s.name === `${layer.name}/kernel`);
  return spec?.nonZeros !== undefined && spec.nonZeros < layer.kernel.length;
}

/** k-means of one layer's (non-zero, if pruned) weights; throws a StageError when too few. */
function clusterLayer(
  layer: WeightLayer,
  pruned: boolean,
  k: number,
  ctx: StageContext,
): LayerCodebook {
  const positions: number[] = [];
  for (let i = 0; i < layer.kernel.length; i++) {
    if (!pruned || layer.kernel[i] !== 0) positions.push(i);
  }
  const n = positions.length;
  if (n < k) {
    const most = n >= 2 ? `at most ${Math.floor(Math.log2(n))} bits` : 'no weight sharing';
    throw new StageError(
      `${layer.name} has ${n} ${pruned ? 'non-zero ' : ''}weights, fewer than the ${k} ` +
        `centroids of ${Math.log2(k)}-bit sharing: choose ${most} for this model.`,
    );
  }
  const values = Float32Array.from(positions, (i) => layer.kernel[i]!);
  const found = kmeans1d(values, k, ctx.rng);
  const assignment = new Uint16Array(layer.kernel.length).fill(k);
  positions.forEach((position, i) => (assignment[position] = found.assignment[i]!));
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const edges = Array.from(
    { length: HISTOGRAM_BINS + 1 },
    (_, i) => lo + ((hi - lo) * i) / HISTOGRAM_BINS,
  );
  const counts = histogram(values, lo, hi, HISTOGRAM_BINS);
  return {
    layer,
    centroids: found.centroids,
    assignment,
    clustered: n,
    pruned,
    histogram: { edges, counts },
  };
}

/** C[A] with 0 at index k, in the kernel's order. */
function sharedKernel(centroids: Float32Array, assignment: Uint16Array): Float32Array {
  const k = centroids.length;
  return Float32Array.from(assignment, (a) => (a === k ? 0 : centroids[a]!));
}

/** A sequential model of SharedDense / SharedConv2D layers set to the codebooks, for fine-tuning. */
function buildSharedModel(
  layers: readonly NamedLayer[],
  codebooks: ReadonlyMap<string, LayerCodebook>,
  inputShape: number[],
): tf.Sequential {
  const model = tf.sequential();
  const shared: SharedWeightLayer[] = [];
  layers.forEach((layer, i) => {
    const common = { ...(i === 0 ? { inputShape } : {}), name: layer.name };
    if (isWeightLayer(layer)) {
      const args = {
        ...common,
        activation: layer.activation ?? 'linear',
        centroids: codebooks.get(layer.name)!.centroids.length,
      };
      const built =
        layer.kind === 'dense'
          ? new SharedDense({ ...args, units: layer.kernelShape[1] })
          : new SharedConv2D({
              ...args,
              filters: layer.kernelShape[3],
              kernelSize: [layer.kernelShape[0], layer.kernelShape[1]],
            });
      model.add(built);
      shared.push(built);
    } else if (layer.kind === 'maxpool') {
      model.add(tf.layers.maxPooling2d({ ...common, poolSize: 2, strides: 2 }));
    } else {
      model.add(tf.layers.flatten(common));
    }
  });
  const weightLayers = layers.filter(isWeightLayer);
  shared.forEach((built, i) => {
    const layer = weightLayers[i]!;
    const book = codebooks.get(layer.name)!;
    const values = [
      tf.tensor(sharedKernel(book.centroids, book.assignment), layer.kernelShape),
      tf.tensor1d(layer.bias),
      tf.tensor1d(book.centroids),
      tf.tensor(Float32Array.from(book.assignment), layer.kernelShape),
    ];
    built.setWeights(values);
    tf.dispose(values);
  });
  return model;
}

/** Fine-tunes the centroids (and biases); returns each layer's trained centroids and biases. */
async function fineTuneCentroids(
  ctx: StageContext,
  layers: readonly NamedLayer[],
  codebooks: ReadonlyMap<string, LayerCodebook>,
  params: ShareParams,
): Promise<Map<string, { centroids: Float32Array; bias: Float32Array }>> {
  const model = buildSharedModel(layers, codebooks, ctx.data.inputShape);
  try {
    await trainStageModel(ctx, model, params.finetuneEpochs, params.learningRate, false);
    const trained = new Map<string, { centroids: Float32Array; bias: Float32Array }>();
    for (const layer of model.layers) {
      if (!(layer instanceof SharedWeightLayer)) continue;
      const bias = layer.getWeights()[1];
      trained.set(layer.name, {
        centroids: layer.getCodebook(),
        bias: bias ? Float32Array.from(bias.dataSync()) : new Float32Array(layer.outputChannels),
      });
    }
    return trained;
  } finally {
    model.dispose();
  }
}

/** Notes for the table: what was shared, how it runs, what fine-tuning did. */
function shareNotes(books: readonly LayerCodebook[], params: ShareParams): string[] {
  const k = 2 ** params.bits;
  const notes = [
    `${k} shared values per layer (${params.bits}-bit indices + fp32 codebook): ` +
      books.map((b) => `${b.layer.name} ${b.clustered} weights`).join(', '),
    'runs as float: each weight is looked up in its codebook when the model loads',
  ];
  if (books.some((b) => b.pruned)) notes.push('pruned zeros stay zero, stored sparse');
  notes.push(
    params.finetuneEpochs > 0
      ? `centroids fine-tuned ${params.finetuneEpochs} ep (gradients of shared weights summed)`
      : 'k-means centroids, not fine-tuned',
  );
  return notes;
}

/** Runs the share stage: k-means per layer, optional centroid fine-tune, plain model C[A]. */
export async function runShare(
  ctx: StageContext,
  input: ModelHandle,
  params: ShareParams,
): Promise<ModelHandle> {
  const layers = checkInput(input);
  const k = 2 ** params.bits;
  const weightLayers = layers.filter(isWeightLayer);
  const books = new Map<string, LayerCodebook>();
  for (const [i, layer] of weightLayers.entries()) {
    ctx.onProgress(i / weightLayers.length, `k-means of ${layer.name} (${k} centroids)`);
    await ctx.control.checkpoint();
    books.set(layer.name, clusterLayer(layer, isPruned(input, layer), k, ctx));
  }
  ctx.onProgress(1, 'clustered');
  const trained =
    params.finetuneEpochs > 0 ? await fineTuneCentroids(ctx, layers, books, params) : null;
  const codebooks: SharedCodebook[] = [];
  const out = layers.map((layer): NamedLayer => {
    if (!isWeightLayer(layer)) return layer;
    const book = books.get(layer.name)!;
    const after = trained?.get(layer.name);
    const centroids = after?.centroids ?? book.centroids;
    codebooks.push({
      name: layer.name,
      bits: params.bits,
      initial: Array.from(book.centroids),
      final: Array.from(centroids),
      histogram: book.histogram,
    });
    return {
      ...layer,
      kernel: sharedKernel(centroids, book.assignment),
      bias: after?.bias ?? layer.bias,
    };
  });
  const model = buildFromLayers(out, ctx.data.inputShape);
  const storage: TensorSizeSpec[] = out.filter(isWeightLayer).flatMap((layer) => {
    const book = books.get(layer.name)!;
    const kernel: TensorSizeSpec = {
      name: `${layer.name}/kernel`,
      shape: [...layer.kernelShape],
      bits: params.bits,
      codebook: k,
      ...(book.pruned ? { nonZeros: book.clustered } : {}),
    };
    return [kernel, { name: `${layer.name}/bias`, shape: [layer.bias.length], bits: 32 }];
  });
  return {
    model,
    storage,
    ...layerMacs(out, ctx.data.inputShape),
    codebooks,
    notes: shareNotes([...books.values()], params),
    label: shareSummaryLabel(params),
  };
}

function shareSummaryLabel(params: ShareParams): string {
  const tuned = params.finetuneEpochs > 0 ? ` + fine-tune ${params.finetuneEpochs} ep` : '';
  return `k-means ${params.bits}-bit${tuned}`;
}

/** The stage's run, loaded by the technique spec. */
export const run = runShare;
