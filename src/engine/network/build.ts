import * as tf from '@tensorflow/tfjs';
import type { ArchitectureSpec } from '../../experiment/schema';

/** Seeds of the layer initializers: layer i uses seed·1000 + i, so a seed fixes every weight. */
function initializers(seed: number, index: number) {
  const s = (seed % 1_000_000) * 1000 + index;
  return {
    kernelInitializer: tf.initializers.glorotUniform({ seed: s }),
    biasInitializer: tf.initializers.zeros(),
  };
}

/**
 * Builds the network of an architecture spec as a sequential Layers model that outputs logits
 * (no softmax: losses use softmax cross-entropy on logits, distillation needs them raw).
 * MLP: dense(h₁) … dense(h_k) → dense(classes); CNN: [conv k×k valid → act → maxpool 2]… →
 * flatten → dense … → dense(classes).
 */
export function buildModel(
  spec: ArchitectureSpec,
  inputShape: number[],
  numClasses: number,
  seed: number,
): tf.Sequential {
  const model = tf.sequential();
  let index = 0;
  if (spec.kind === 'cnn') {
    if (inputShape.length !== 3)
      throw new Error('A CNN needs image input (height × width × channels).');
    spec.convs.forEach((conv, i) => {
      model.add(
        tf.layers.conv2d({
          ...(i === 0 ? { inputShape } : {}),
          filters: conv.filters,
          kernelSize: conv.kernel,
          padding: 'valid',
          activation: spec.activation,
          name: `conv${i + 1}`,
          ...initializers(seed, index++),
        }),
      );
      model.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `pool${i + 1}` }));
    });
    model.add(tf.layers.flatten({ name: 'flatten' }));
  } else if (inputShape.length > 1) {
    model.add(tf.layers.flatten({ inputShape, name: 'flatten' }));
  }
  const hidden = spec.kind === 'cnn' ? spec.dense : spec.hidden;
  hidden.forEach((units, i) => {
    const first = model.layers.length === 0;
    model.add(
      tf.layers.dense({
        ...(first ? { inputShape } : {}),
        units,
        activation: spec.activation,
        name: `dense${i + 1}`,
        ...initializers(seed, index++),
      }),
    );
  });
  model.add(
    tf.layers.dense({
      ...(model.layers.length === 0 ? { inputShape } : {}),
      units: numClasses,
      activation: 'linear',
      name: 'logits',
      ...initializers(seed, index++),
    }),
  );
  return model;
}

/** Smallest spatial size a CNN's spec leaves after its conv/pool blocks: s ← ⌊(s − k + 1) / 2⌋. */
export function cnnOutputSide(spec: ArchitectureSpec, side: number): number {
  if (spec.kind !== 'cnn') return side;
  return spec.convs.reduce((s, c) => Math.floor((s - c.kernel + 1) / 2), side);
}
