/**
 * The quantization sensitivity scan: each dense / conv layer alone quantized (weights only, the
 * others float) to each bit width, accuracy on held-out validation examples, and the bytes each
 * layer's kernel would ship in at each width: the table mixed precision allocates bits from.
 */
import type { SweepResult } from '../../layer-sweep';
import { sweepLayers } from '../../layer-sweep';
import { DEFAULT_BIT_GRID } from '../mixed-precision';
import type { WeightQuantConfig } from '../weights';
import { quantizeKernel, quantizedStorage } from '../weights';
import { modelBytes, tensorBytes } from '../../../engine/measure/size';
import { withKernelEvaluator } from '../../../engine/measure/kernel-sweep';
import { readLayers } from './convert';
import type { ModelHandle, StageContext } from '../../../engine/network/stage-types';
import { StageError } from '../../../engine/network/stage-types';

/** The grid the scan quantizes with: symmetric per-channel uniform, as PTQ's default. */
export const SCAN_QUANTIZER: Omit<WeightQuantConfig, 'bits'> = {
  scheme: 'symmetric',
  perChannel: true,
  powerOfTwo: false,
};

/** Accuracy drops of quantizing each layer alone, with each layer's bytes per width. */
export interface QuantSensitivityTable extends SweepResult {
  bits: number[];
  /**
   * divergence[l][j]: mean KL(p_float ‖ p) in nats of the outputs with layer l alone at bits[j].
   * Smoother than accuracy on a few thousand examples, and close to additive over layers: what
   * the allocation minimises.
   */
  divergence: number[][];
  /** Per weight layer: name, weights, and its kernel's stored bytes at each width of `bits`. */
  layers: { name: string; count: number; bytes: number[] }[];
  /** Bytes that stay the same at any width: the fp32 biases. */
  fixedBytes: number;
  /** The scanned model's stored bytes (the fp32 teacher's size), what budgets are a share of. */
  modelBytes: number;
  /** Held-out validation examples each accuracy was measured on (never the test split). */
  examples: number;
}

function checkGrid(bits: readonly number[]): void {
  if (bits.length === 0) throw new StageError('Choose at least one bit width to scan.');
  for (const b of bits) {
    if (!(Number.isInteger(b) && b >= 2 && b <= 16)) {
      throw new StageError(`Each bit width of the scan must be a whole number 2–16; got ${b}.`);
    }
  }
}

/**
 * drop[l][j] = acc(float) − acc(layer l alone at bits[j], weights only) and divergence[l][j] =
 * mean KL(p_float ‖ p), on ≤ 2,000 validation examples; bytes[l][j] = the packed (or sparse)
 * kernel at bits[j] with its scales.
 */
export async function runQuantSensitivity(
  ctx: StageContext,
  handle: ModelHandle,
  bits: readonly number[] = DEFAULT_BIT_GRID,
): Promise<QuantSensitivityTable> {
  checkGrid(bits);
  if (handle.predict || handle.storage.some((s) => s.bits < 32)) {
    throw new StageError('The quantization scan reads a float model: scan the teacher.');
  }
  const all = readLayers(handle.model, 'The quantization scan');
  const grid = [...bits];
  return withKernelEvaluator(
    ctx,
    all,
    'quantization scan',
    async (_evaluate, layers, examples, score) => {
      const quantized = layers.map((layer) =>
        grid.map((b) =>
          quantizeKernel(layer.kernel, layer.kernelShape, { ...SCAN_QUANTIZER, bits: b }),
        ),
      );
      const { baseline, results } = await sweepLayers(
        score,
        layers.map((l) => l.kernel),
        grid.map((_, j) => j),
        (_weights, l, j) => quantized[l]![j]!.dequantized,
        {
          onProgress: (done, total) =>
            ctx.onProgress(done / total, `Quantization scan: ${done} of ${total} evaluations`),
        },
      );
      const accuracy = results.map((row) => row.map((r) => r.accuracy));
      const result = {
        baseline: baseline.accuracy,
        accuracy,
        drop: accuracy.map((row) => row.map((a) => baseline.accuracy - a)),
        divergence: results.map((row) => row.map((r) => r.divergence)),
      };
      const rows = layers.map((layer, l) => ({
        name: layer.name,
        count: layer.kernel.length,
        bytes: grid.map((b, j) => {
          const shipped = { ...layer, kernel: quantized[l]![j]!.dequantized };
          const [kernel] = quantizedStorage([shipped], { ...SCAN_QUANTIZER, bits: b });
          return tensorBytes(kernel!).bytes;
        }),
      }));
      const fixedBytes = modelBytes(
        layers.map((l) => ({ name: `${l.name}/bias`, shape: [l.bias.length], bits: 32 })),
      );
      return {
        ...result,
        bits: grid,
        layers: rows,
        fixedBytes,
        modelBytes: modelBytes(handle.storage),
        examples,
      };
    },
  );
}
