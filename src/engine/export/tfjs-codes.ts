/**
 * The tfjs download of a quantized variant, exactly as it computes: every kernel is the ŵ its
 * own codes stand for, ŵ = (q − z)·s. A per-tensor grid of at most 256 levels ships as tfjs's
 * uint8 affine weights with the variant's own grid (stored q − qmin, scale s, min (qmin − z)·s, so
 * stock tfjs reads back ŵ exactly); a per-channel grid has no stock-tfjs encoding and ships as
 * float32 ŵ. Biases stay float32, as the variant keeps them.
 */
import type { io } from '@tensorflow/tfjs';
import type * as tf from '@tensorflow/tfjs';
import type { QuantizedKernel } from '../../techniques/quantize/weights';
import { buildFromLayers, extractLayers } from '../network/layer-ir';
import { isWeightLayer } from '../network/layers';
import type { ExportedModel } from './artifacts';
import { saveToMemory } from './artifacts';

/** Whether a grid fits tfjs's per-tensor uint8 affine encoding: one scale, ≤ 256 levels. */
export function fitsUint8(kernel: QuantizedKernel): boolean {
  const { scale, qmin, qmax } = kernel.params;
  return scale.length === 1 && qmax - qmin <= 255;
}

/** Artifacts of `model` with each coded kernel replaced by its exact ŵ, uint8 where it fits. */
export async function exportWithCodes(
  model: tf.LayersModel,
  inputShape: number[],
  codes: ReadonlyMap<string, QuantizedKernel>,
): Promise<ExportedModel> {
  const layers = extractLayers(model).map((layer) => {
    const coded = isWeightLayer(layer) ? codes.get(layer.name) : undefined;
    return coded && isWeightLayer(layer) ? { ...layer, kernel: coded.dequantized } : layer;
  });
  const plain = buildFromLayers(layers, inputShape);
  let saved: ExportedModel;
  try {
    saved = await saveToMemory(plain);
  } finally {
    plain.dispose();
  }
  const specs: io.WeightsManifestEntry[] = [];
  const parts: Uint8Array[] = [];
  let offset = 0;
  const floatLayers: string[] = [];
  for (const spec of saved.weightSpecs) {
    const count = spec.shape.reduce((a, b) => a * b, 1);
    const bytes = new Uint8Array(saved.weightData.slice(offset, offset + count * 4));
    offset += count * 4;
    const layerName = spec.name.replace(/\/kernel$/, '');
    const coded = spec.name.endsWith('/kernel') ? codes.get(layerName) : undefined;
    if (!coded) {
      specs.push(spec);
      parts.push(bytes);
      continue;
    }
    if (!fitsUint8(coded)) {
      floatLayers.push(layerName);
      specs.push(spec);
      parts.push(bytes);
      continue;
    }
    const { scale, zeroPoint, qmin } = coded.params;
    const s = scale[0]!;
    const stored = Uint8Array.from(coded.codes, (q) => q - qmin);
    specs.push({
      ...spec,
      quantization: { dtype: 'uint8', scale: s, min: (qmin - zeroPoint[0]!) * s },
    });
    parts.push(stored);
  }
  const out = new Uint8Array(parts.reduce((a, p) => a + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  const notes =
    floatLayers.length > 0
      ? [
          `${floatLayers.join(', ')}: per-channel grids have no stock-tfjs encoding, so these ` +
            'kernels ship as float32 ŵ (exactly the values the variant computes with; the ONNX ' +
            'export keeps the integer codes)',
        ]
      : [];
  return { ...saved, weightSpecs: specs, weightData: out.buffer, notes };
}
