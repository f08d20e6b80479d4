/**
 * What the ONNX exporters can express, as a reason in words when they cannot (the UI shows it
 * beside a disabled download button). The exporters throw the same reasons as RangeErrors.
 */
import type { IntegerModel, NamedLayer } from './adapter';
import { integerShapeOps, onnxInputShape, walkShapes } from './layout';
import type { DataTypeCode } from './proto';
import { DataType } from './proto';

/** What is exported: plain float layers, or the converted integer model as QDQ. */
export type OnnxSource =
  | { kind: 'float'; layers: readonly NamedLayer[]; inputShape: readonly number[] }
  | { kind: 'qdq'; model: IntegerModel };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Throws a RangeError unless an activation grid fits uint8 (per-tensor, codes in 0..255). */
export function checkActivationGrid(
  grid: IntegerModel['inputParams'],
  where: string,
): DataTypeCode {
  if (grid.scale.length !== 1 || grid.qmin < 0 || grid.qmax > 255) {
    throw new RangeError(
      `${where}: a ${grid.bits}-bit activation grid (codes ${grid.qmin}..${grid.qmax}) has no ` +
        'uint8 container; QDQ export needs per-tensor activations of at most 8 bits.',
    );
  }
  return DataType.UINT8;
}

/** Throws a RangeError with the reason unless the float layers export. */
export function assertFloatExportable(
  layers: readonly NamedLayer[],
  inputShape: readonly number[],
): void {
  if (layers.length === 0) throw new RangeError('The model has no layers to export.');
  onnxInputShape(inputShape);
  walkShapes(layers, inputShape);
  for (const layer of layers) {
    if (layer.kind !== 'dense' && layer.kind !== 'conv') continue;
    if (![...layer.kernel, ...layer.bias].every(Number.isFinite)) {
      throw new RangeError(`Layer ${layer.name} holds NaN or infinite weights.`);
    }
  }
}

/** Throws a RangeError with the reason unless the integer model exports as QDQ. */
export function assertQdqExportable(model: IntegerModel): void {
  onnxInputShape(model.inputShape);
  walkShapes(integerShapeOps(model.ops), model.inputShape);
  for (const op of model.ops) {
    if (op.kind !== 'dense' && op.kind !== 'conv') continue;
    checkActivationGrid(op.layer.inputParams, `${op.name} input`);
    if (!op.last && !op.lut) checkActivationGrid(op.layer.outputParams, `${op.name} output`);
  }
}

/** null when `source` exports to ONNX; otherwise the reason it cannot, in words. */
export function onnxSupport(source: OnnxSource): string | null {
  try {
    if (source.kind === 'float') assertFloatExportable(source.layers, source.inputShape);
    else assertQdqExportable(source.model);
    return null;
  } catch (error) {
    return message(error);
  }
}
