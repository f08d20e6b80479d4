import * as tf from '@tensorflow/tfjs';
import type { PruneParams } from '../spec';
import { usesLayerSparsities } from '../spec';
import { globalMagnitudeMasks, magnitudeMask } from '../magnitude';
import { MaskedConv2D, MaskedDense, isMaskedLayer } from './masked-layers';
import { nmMask } from '../nm';
import { isPruningStep, polynomialDecaySparsity } from '../schedule';
import { roundSparsities, schedulePlan, stepsPerEpochOf } from '../schedule-plan';
import { finetune, finetuneBatchSize } from './pruned-handle';
import { isWeightLayer } from '../../../engine/network/layers';
import type { NamedLayer } from '../../../engine/network/layers';
import type { StageContext } from '../../../engine/network/stage-types';
import { mirrorWeights } from '../../../engine/backends/cpu-mirror';

// The step layout lives in the pure schedule-plan module (the UI draws it from there too).
export { gradualSchedule, roundSparsities } from '../schedule-plan';

/**
 * Unstructured (magnitude) and N:M pruning with masked layers.
 *
 * Every dense and conv layer is pruned, the output (logits) layer included: it is a weight matrix
 * like any other, and at layer-wise scope each layer loses the same fraction, so sparing it would
 * only make the reported sparsity differ from the requested one. Biases are never pruned.
 *
 * Masks are always computed from the effective kernel (kernel ⊙ mask): weights pruned earlier are
 * exactly 0 there, rank lowest, and stay pruned while the sparsity grows (iterative, gradual).
 */

type Masked = MaskedDense | MaskedConv2D;

/** The masked layers of a model, in order. */
export function maskedLayersOf(model: tf.LayersModel): Masked[] {
  return model.layers.filter(isMaskedLayer);
}

/**
 * A sequential model of MaskedDense / MaskedConv2D (same names, activations and weights, masks all
 * ones), max-pooling and flatten layers, built from plain layers.
 */
export function buildMaskedModel(
  layers: readonly NamedLayer[],
  inputShape: number[],
): tf.Sequential {
  const model = tf.sequential();
  layers.forEach((layer, i) => {
    const first = i === 0 ? { inputShape } : {};
    const common = { ...first, name: layer.name };
    if (layer.kind === 'dense') {
      const units = layer.kernelShape[1];
      model.add(new MaskedDense({ ...common, units, activation: layer.activation ?? 'linear' }));
    } else if (layer.kind === 'conv') {
      const [kh, kw, , filters] = layer.kernelShape;
      const activation = layer.activation ?? 'linear';
      model.add(new MaskedConv2D({ ...common, filters, kernelSize: [kh, kw], activation }));
    } else if (layer.kind === 'maxpool') {
      model.add(tf.layers.maxPooling2d({ ...common, poolSize: 2, strides: 2 }));
    } else {
      model.add(tf.layers.flatten(common));
    }
  });
  for (const layer of layers.filter(isWeightLayer)) {
    const values = [
      tf.tensor(layer.kernel, layer.kernelShape),
      tf.tensor1d(layer.bias),
      tf.ones(layer.kernelShape),
    ];
    // A layer's weights are [kernel, bias] (trainable) then [mask] (non-trainable).
    model.getLayer(layer.name).setWeights(values);
    tf.dispose(values);
  }
  return model;
}

/**
 * Masks (1 kept, 0 pruned) of kernels for `sparsity`: N:M per group; magnitude per layer
 * (round(sᵢ·nᵢ) smallest |w| of each, sᵢ = perLayer[i] ?? s) or global (round(s·Σnᵢ) smallest
 * |w| over all layers). `perLayer` is read at layer-wise magnitude scope only.
 */
export function computeMasks(
  kernels: readonly { values: Float32Array; shape: readonly number[] }[],
  params: Pick<PruneParams, 'kind' | 'scope' | 'n' | 'm'>,
  sparsity: number,
  perLayer?: readonly (number | undefined)[],
): Float32Array[] {
  if (params.kind === 'nm')
    return kernels.map((k) => nmMask(k.values, k.shape, params.n, params.m));
  if (params.scope === 'global') {
    return globalMagnitudeMasks(
      kernels.map((k) => k.values),
      sparsity,
    ).masks;
  }
  return kernels.map((k, i) => magnitudeMask(k.values, perLayer?.[i] ?? sparsity));
}

/**
 * Recomputes every mask of a masked model from its effective kernels at `sparsity`. A layer named
 * in `params.layerSparsities` (layer-wise magnitude only) gets `scheduled(its final sparsity)`
 * instead: the same schedule point as `sparsity` is of `params.sparsity` (default: the final one).
 */
export async function pruneModelTo(
  model: tf.LayersModel,
  params: Pick<PruneParams, 'kind' | 'scope' | 'n' | 'm' | 'layerSparsities'>,
  sparsity: number,
  scheduled: (finalSparsity: number) => number = (s) => s,
): Promise<void> {
  await mirrorWeights(model);
  const layers = maskedLayersOf(model);
  const kernels = layers.map((layer) => ({
    values: layer.maskedKernelValues(),
    shape: layer.getWeights()[0]!.shape,
  }));
  const overrides = usesLayerSparsities(params) ? (params.layerSparsities ?? {}) : {};
  const perLayer = layers.map((layer) => {
    const target = Object.hasOwn(overrides, layer.name) ? overrides[layer.name] : undefined;
    return target === undefined ? undefined : scheduled(target);
  });
  computeMasks(kernels, params, sparsity, perLayer).forEach((mask, i) => layers[i]!.setMask(mask));
}

/** Notes on `layerSparsities` the stage cannot honour: wrong kind/scope, or unknown layers. */
function layerSparsityNotes(model: tf.LayersModel, params: PruneParams): string[] {
  const names = Object.keys(params.layerSparsities ?? {});
  if (names.length === 0) return [];
  if (!usesLayerSparsities(params)) {
    return ['per-layer sparsities ignored: they apply to layer-wise magnitude pruning only'];
  }
  const known = new Set(maskedLayersOf(model).map((l) => l.name));
  const unknown = names.filter((n) => !known.has(n));
  return unknown.length > 0
    ? [`per-layer sparsities for unknown layers ignored: ${unknown.join(', ')}`]
    : [];
}

/**
 * Writes kernel ⊙ mask into every masked kernel, then adds +0 so pruned weights are +0, not −0
 * (w·0 keeps w's sign): the shipped bytes of a zero are then all zero bits, which gzip sees as runs.
 */
export function bakeMasks(model: tf.LayersModel): void {
  for (const layer of maskedLayersOf(model)) {
    layer.bakeMask();
    const kernel = layer.weights[0]!;
    tf.tidy(() => {
      kernel.write(tf.add(kernel.read(), tf.scalar(0)));
    });
  }
}

/** Optimizer steps of one fine-tuning epoch: ⌈train count / batch size⌉. */
export function stepsPerEpoch(ctx: StageContext): number {
  return stepsPerEpochOf(ctx.data.train.count, finetuneBatchSize(ctx.data.inputShape));
}

/**
 * Prunes plain layers into a new masked model on the chosen schedule, fine-tuning with the masks
 * in force, then bakes kernel ⊙ mask into each kernel (masks kept, so later fine-tunes keep zeros).
 */
export async function pruneMasked(
  ctx: StageContext,
  layers: readonly NamedLayer[],
  params: PruneParams,
): Promise<{ model: tf.Sequential; notes: string[] }> {
  const model = buildMaskedModel(layers, ctx.data.inputShape);
  const notes = layerSparsityNotes(model, params);
  const sparsity = params.kind === 'nm' ? 0 : params.sparsity;
  try {
    // The plan says when masks change; this loop only carries it out.
    const plan = schedulePlan(params, stepsPerEpoch(ctx));
    if (plan.note !== null && !plan.refused) notes.push(plan.note);
    const gradual = plan.ramp;
    if (plan.layout === 'iterative') {
      for (const [k, update] of plan.updates.entries()) {
        await ctx.control.checkpoint();
        await pruneModelTo(
          model,
          params,
          update.sparsity,
          (s) => roundSparsities(s, params.rounds)[k]!,
        );
        await finetune(ctx, model, params, {
          offset: {
            epoch: k * params.finetuneEpochs,
            step: update.step,
            totalSteps: plan.totalSteps,
          },
        });
      }
    } else if (gradual !== null) {
      await finetune(ctx, model, params, {
        beforeStep: async (step) => {
          if (isPruningStep(step, gradual)) {
            await pruneModelTo(model, params, polynomialDecaySparsity(step, gradual), (s) =>
              polynomialDecaySparsity(step, { ...gradual, finalSparsity: s }),
            );
          }
        },
      });
    } else {
      await pruneModelTo(model, params, sparsity);
      await finetune(ctx, model, params);
    }
    bakeMasks(model);
    await mirrorWeights(model);
  } catch (error) {
    model.dispose();
    throw error;
  }
  return { model, notes };
}
