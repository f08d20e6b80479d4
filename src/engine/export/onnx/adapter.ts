/**
 * Every import this folder takes from the rest of the app, in one place. The exporters import
 * types only from here (erased at build time: no tfjs in them); `fromModel` and the tests use the
 * values.
 */
export type { NamedLayer } from '../../network/layers';
export { extractLayers } from '../../network/layer-ir';
export type { IntegerModel, IntegerOp } from '../../../techniques/quantize/stage/integer-model';
export type { QuantParams } from '../../../techniques/quantize/quantizer';
