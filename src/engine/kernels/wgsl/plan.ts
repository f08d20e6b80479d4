/**
 * The converted integer model laid out for the WGSL int8 path, on the CPU: activations as int8
 * x' = q − 128 packed four channels to a u32 word (NHWC, channels padded to a multiple of 4),
 * weights w8 = (q_w − z_w) − d_c packed the same way along the input channels, and per output
 * channel the constant of acc = Σ x'·w8 + d_c · Σ x' + (128 − z_x)(Σ w8 + N · d_c) + q_b, which is
 * Σ (q_x − z_x)(q_w − z_w) + q_b exactly in wrapping int32 (the model's accumulators fit int32).
 * Requantization and input quantization become threshold tables (step-table.ts) taken from the
 * JS reference; the last layer's dequantization is dequantBits' integer arithmetic.
 */
import type { IntegerModel } from '../../../techniques/quantize/stage/integer-model';
import { requantizeAccumulators } from '../../../techniques/quantize/integer-kernels';
import { quantize } from '../../../techniques/quantize/quantizer';
import { int8Unsupported, int8Weights } from '../int8-model';
import { f64Parts } from './dequant-bits';
import { floatAt, floatPosition, stepTable } from './step-table';

type WeightOp = Extract<IntegerModel['ops'][number], { kind: 'dense' | 'conv' }>;

/** Per output channel, 8 i32: constant, d_c, lo_c, n_c, then (last layer) s_w's f64 parts. */
export const CHANNEL_WORDS = 8;

/** Input quantization: x (f32 NHWC) → packed codes, by thresholds on x. */
export interface QuantizeStep {
  kind: 'quantize';
  /** Pixels and channels per example. */
  pixels: number;
  channels: number;
  lo: number;
  count: number;
  thresholds: Float32Array;
}

/** A conv (valid, stride 1) or dense layer; dense runs as a 1 × 1 conv over `w` rows. */
export interface LayerStep {
  kind: 'layer';
  name: string;
  h: number;
  w: number;
  /** Input words per pixel. */
  cw: number;
  kh: number;
  kw: number;
  outC: number;
  /** Words [((dy · kw + dx) · cw + ci) · 4·⌈outC/4⌉ + o]. */
  weights: Uint32Array;
  /** CHANNEL_WORDS i32 per output channel (padded to 4·⌈outC/4⌉). */
  channels: Int32Array;
  /** Requantization thresholds [c · stride + k] (the last layer has none). */
  thresholds: Int32Array;
  stride: number;
  last: boolean;
  /** Last layer: ReLU on the dequantized outputs. */
  relu: boolean;
  /** Last layer: s_x as f64 parts [hi, lo, exp]. */
  inputScale: [number, number, number];
}

/** 2×2 max pool, stride 2, valid, on packed codes. */
export interface PoolStep {
  kind: 'pool';
  h: number;
  w: number;
  cw: number;
}

export type WgslStep = QuantizeStep | LayerStep | PoolStep;

export interface WgslPlan {
  steps: WgslStep[];
  /** Input values per example and output values per example. */
  features: number;
  outputSize: number;
}

const words = (c: number) => Math.ceil(c / 4);
const perChannel = (v: ArrayLike<number>, c: number) => (v.length === 1 ? v[0]! : v[c]!);

function quantizeStep(model: IntegerModel, shape: readonly number[]): QuantizeStep {
  const p = model.inputParams;
  const table = stepTable(
    (pos) => quantize(Float32Array.from(pos, floatAt), p),
    1,
    floatPosition(-Infinity),
    floatPosition(Infinity),
  );
  const channels = shape[shape.length - 1]!;
  return {
    kind: 'quantize',
    pixels: shape.reduce((a, b) => a * b, 1) / channels,
    channels,
    lo: table.lo[0]!,
    count: table.count[0]!,
    thresholds: Float32Array.from(table.thresholds.subarray(0, table.count[0]!), floatAt),
  };
}

/** Packs w8 [taps, inC, outC] (taps in the order the shader walks) into words per input word. */
function packWeights(w8: Int8Array, taps: number, inC: number, outC: number): Uint32Array {
  const cw = words(inC);
  const outP = 4 * words(outC);
  const out = new Uint32Array(taps * cw * outP);
  for (let t = 0; t < taps; t++) {
    for (let ci = 0; ci < inC; ci++) {
      for (let o = 0; o < outC; o++) {
        const byte = w8[(t * inC + ci) * outC + o]! & 0xff;
        const at = (t * cw + (ci >> 2)) * outP + o;
        out[at] = (out[at] ?? 0) | (byte << (8 * (ci & 3)));
      }
    }
  }
  return out;
}

/** The kernel rows of a dense layer read through a padded [pixels, channels] input, as [1, inC'] taps. */
function denseOrder(w8: Int8Array, pixels: number, channels: number, outC: number): Int8Array {
  const cw = words(channels);
  const out = new Int8Array(pixels * cw * 4 * outC);
  for (let s = 0; s < pixels; s++) {
    for (let c = 0; c < channels; c++) {
      for (let o = 0; o < outC; o++) {
        out[(s * cw * 4 + c) * outC + o] = w8[(s * channels + c) * outC + o]!;
      }
    }
  }
  return out;
}

function layerStep(
  op: WeightOp,
  dims: { h: number; w: number; channels: number; kh: number; kw: number; rowsFlat: boolean },
): LayerStep | string {
  const { layer } = op;
  const ks = layer.kernelShape;
  const outC = ks[ks.length - 1]!;
  const weights = int8Weights(op);
  if (!weights) return `${op.name}: a channel spans over 256 codes`;
  const taps = dims.kh * dims.kw;
  const inC = dims.rowsFlat ? dims.h * dims.w * 4 * words(dims.channels) : dims.channels;
  const w8 = dims.rowsFlat
    ? denseOrder(weights.w8, dims.h * dims.w, dims.channels, outC)
    : weights.w8;
  const realTaps = dims.rowsFlat ? dims.h * dims.w * dims.channels : taps * dims.channels;
  const u = 128 - layer.inputParams.zeroPoint[0]!;
  const outP = 4 * words(outC);
  const channels = new Int32Array(outP * CHANNEL_WORDS);
  const table = op.last ? null : requantTable(op, outC);
  for (let c = 0; c < outC; c++) {
    let sum = 0;
    for (let i = c; i < weights.w8.length; i += outC) sum += weights.w8[i]!;
    const d = weights.d ? weights.d[c]! : 0;
    const at = c * CHANNEL_WORDS;
    channels[at] = (u * (sum + realTaps * d) + layer.bias[c]!) | 0;
    channels[at + 1] = d;
    if (table) {
      channels[at + 2] = table.lo[c]!;
      channels[at + 3] = table.count[c]!;
    } else {
      const sw = f64Parts(perChannel(layer.weightParams.scale, c));
      channels.set([sw.hi, sw.lo, sw.exp], at + 4);
    }
  }
  const sx = f64Parts(layer.inputParams.scale[0]!);
  return {
    kind: 'layer',
    name: op.name,
    h: dims.rowsFlat ? 1 : dims.h,
    w: dims.rowsFlat ? 1 : dims.w,
    cw: dims.rowsFlat ? words(inC) : words(dims.channels),
    kh: dims.kh,
    kw: dims.kw,
    outC,
    weights: packWeights(w8, dims.rowsFlat ? 1 : taps, inC, outC),
    channels,
    thresholds: table ? Int32Array.from(table.thresholds) : new Int32Array(1),
    stride: table ? table.stride : 1,
    last: op.last,
    relu: op.last && op.activation === 'relu',
    inputScale: [sx.hi, sx.lo, sx.exp],
  };
}

/** Thresholds of q = lut(requantize(acc)) per channel, from the reference functions. */
function requantTable(op: WeightOp, outC: number) {
  const { lut } = op;
  const qmin = op.layer.outputParams.qmin;
  return stepTable(
    (acc) => {
      const q = requantizeAccumulators(acc, op.layer);
      return lut ? q.map((v) => lut[v - qmin]!) : q;
    },
    outC,
    -(2 ** 31),
    2 ** 31 - 1,
  );
}

/** What keeps the model off the WGSL path (beyond the wasm engine's limits), or null. */
function wgslUnsupported(model: IntegerModel): string | null {
  const engine = int8Unsupported(model);
  if (engine) return engine.detail;
  for (const op of model.ops) {
    if (op.kind !== 'dense' && op.kind !== 'conv') continue;
    if (op.last && op.kind !== 'dense') return `${op.name}: the last layer is not dense`;
    const act = op.activation ?? 'linear';
    if (op.last && act !== 'linear' && act !== 'relu') {
      return `${op.name}: a ${act} output is computed in f64 on the CPU, not on the GPU`;
    }
    if (op.lut && op.lut.some((q, i) => i > 0 && q < op.lut![i - 1]!)) {
      return `${op.name}: its lookup table is not monotone`;
    }
  }
  return null;
}

/** The WGSL layout of an integer model, or why it cannot run there. */
export function planWgsl(model: IntegerModel): WgslPlan | { reason: string } {
  const why = wgslUnsupported(model);
  if (why) return { reason: why };
  let shape = [...model.inputShape];
  const steps: WgslStep[] = [quantizeStep(model, shape)];
  let flat = false;
  for (const op of model.ops) {
    const channels = shape[shape.length - 1]!;
    const [h, w] =
      shape.length === 3 ? [shape[0]!, shape[1]!] : [1, shape.length === 2 ? shape[0]! : 1];
    if (op.kind === 'flatten') {
      flat = true;
      continue;
    }
    if (op.kind === 'maxpool') {
      if (shape.length !== 3 || flat) return { reason: 'max pooling needs h × w × c input' };
      steps.push({ kind: 'pool', h, w, cw: words(channels) });
      shape = [Math.floor(h / 2), Math.floor(w / 2), channels];
      continue;
    }
    const ks = op.layer.kernelShape;
    const outC = ks[ks.length - 1]!;
    let step: LayerStep | string;
    if (op.kind === 'conv') {
      const [kh, kw, kc] = ks as [number, number, number, number];
      if (shape.length !== 3 || flat || kc !== channels || kh > h || kw > w || ks.length !== 4) {
        return { reason: `${op.name}: input [${shape.join(', ')}] vs HWIO kernel` };
      }
      step = layerStep(op, { h, w, channels, kh, kw, rowsFlat: false });
      shape = [h - kh + 1, w - kw + 1, outC];
    } else {
      const features = shape.reduce((a, b) => a * b, 1);
      const inDim = ks[0]!;
      if (inDim === features) {
        step = layerStep(op, { h, w, channels, kh: 1, kw: 1, rowsFlat: true });
        shape = [outC];
      } else if (inDim === channels && !flat) {
        // Per-pixel dense over the last axis: a 1 × 1 conv.
        step = layerStep(op, { h, w, channels, kh: 1, kw: 1, rowsFlat: false });
        shape = [...shape.slice(0, -1), outC];
      } else {
        return { reason: `${op.name}: ${features} values per example vs ${inDim}` };
      }
    }
    if (typeof step === 'string') return { reason: step };
    steps.push(step);
    flat = false;
    if (op.last) {
      return {
        steps,
        features: model.inputShape.reduce((a, b) => a * b, 1),
        outputSize: model.outputSize,
      };
    }
  }
  return { reason: 'the integer model has no output layer' };
}
