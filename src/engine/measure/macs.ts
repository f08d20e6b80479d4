import type { ArchitectureSpec } from '../../experiment/schema';

/**
 * Per-layer cost table of an architecture spec: the model summary the UI shows, and the MAC
 * counts every variant is measured with. Layer names match the tfjs model built from the same
 * spec (conv1, pool1, …, flatten, dense1, …, logits); activations are fused into their conv or
 * dense layer and cost no MACs. Shapes exclude the batch dimension.
 */

export type LayerKind = 'conv2d' | 'maxpool2d' | 'flatten' | 'dense';

/** One row of the model summary. */
export interface LayerCost {
  name: string;
  kind: LayerKind;
  /** Output shape without the batch dimension: [h, w, c] or [units]. */
  outputShape: number[];
  /** Trainable parameters: kernel + bias. */
  params: number;
  /** Multiply-accumulates for one example (kernel only; bias adds are not counted). */
  macs: number;
  /** Bytes of this layer's parameters at fp32: 4·params. */
  fp32Bytes: number;
  /** Activation applied after the layer, or null for layers without one. */
  activation: string | null;
}

/** Dense layer MACs for one example: in·out. */
export function denseMacs(inUnits: number, outUnits: number): number {
  return inUnits * outUnits;
}

/** Conv2d MACs (valid padding, stride 1) for one example: outH·outW·kh·kw·cin·cout. */
export function conv2dMacs(
  outH: number,
  outW: number,
  kernel: number,
  inChannels: number,
  outChannels: number,
): number {
  return outH * outW * kernel * kernel * inChannels * outChannels;
}

function product(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

function row(
  name: string,
  kind: LayerKind,
  outputShape: number[],
  params: number,
  macs: number,
  activation: string | null,
): LayerCost {
  return { name, kind, outputShape, params, macs, fp32Bytes: 4 * params, activation };
}

function denseRow(name: string, inUnits: number, units: number, activation: string): LayerCost {
  return row(
    name,
    'dense',
    [units],
    inUnits * units + units,
    denseMacs(inUnits, units),
    activation,
  );
}

/** Summary rows of a spec: conv params k²·cin·cout + cout, dense params in·out + out, pool/flatten 0. */
export function layerCosts(
  spec: ArchitectureSpec,
  inputShape: readonly number[],
  numClasses: number,
): LayerCost[] {
  if (inputShape.some((d) => !Number.isInteger(d) || d < 1) || inputShape.length === 0) {
    throw new RangeError(`input shape must be positive integers, got [${inputShape.join(', ')}].`);
  }
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new RangeError(`numClasses must be a positive integer, got ${numClasses}.`);
  }
  const rows: LayerCost[] = [];
  let hidden: number[];
  let inUnits = product(inputShape);
  if (spec.kind === 'cnn') {
    if (inputShape.length !== 3) {
      throw new RangeError('A CNN needs image input (height × width × channels).');
    }
    let [h, w, c] = inputShape as [number, number, number];
    spec.convs.forEach((conv, i) => {
      const k = conv.kernel;
      const outH = h - k + 1;
      const outW = w - k + 1;
      if (outH < 2 || outW < 2) {
        throw new RangeError(`conv${i + 1} leaves ${outH}×${outW}: too small to pool 2×2.`);
      }
      const params = k * k * c * conv.filters + conv.filters;
      const macs = conv2dMacs(outH, outW, k, c, conv.filters);
      rows.push(
        row(`conv${i + 1}`, 'conv2d', [outH, outW, conv.filters], params, macs, spec.activation),
      );
      [h, w, c] = [Math.floor(outH / 2), Math.floor(outW / 2), conv.filters];
      rows.push(row(`pool${i + 1}`, 'maxpool2d', [h, w, c], 0, 0, null));
    });
    inUnits = h * w * c;
    rows.push(row('flatten', 'flatten', [inUnits], 0, 0, null));
    hidden = spec.dense;
  } else {
    if (inputShape.length > 1) {
      rows.push(row('flatten', 'flatten', [inUnits], 0, 0, null));
    }
    hidden = spec.hidden;
  }
  hidden.forEach((units, i) => {
    rows.push(denseRow(`dense${i + 1}`, inUnits, units, spec.activation));
    inUnits = units;
  });
  rows.push(denseRow('logits', inUnits, numClasses, 'linear'));
  return rows;
}

/** Total parameters: Σ row params. */
export function totalParams(rows: readonly LayerCost[]): number {
  return rows.reduce((sum, r) => sum + r.params, 0);
}

/** Total MACs for one example: Σ row MACs. */
export function totalMacs(rows: readonly LayerCost[]): number {
  return rows.reduce((sum, r) => sum + r.macs, 0);
}

/**
 * Effective MACs for one example: Σ row MACs × density, density = non-zero fraction (0..1) of that
 * layer's kernel, looked up by layer name (1 when absent: a dense layer skips nothing).
 */
export function effectiveMacs(
  rows: readonly LayerCost[],
  densityByLayer: Readonly<Record<string, number>> = {},
): number {
  return rows.reduce((sum, r) => {
    const density = densityByLayer[r.name] ?? 1;
    if (!(density >= 0 && density <= 1)) {
      throw new RangeError(`density of ${r.name} must be in 0..1, got ${density}.`);
    }
    return sum + r.macs * density;
  }, 0);
}
