/**
 * The WGSL path's arithmetic in JavaScript, step by step as the shaders do it (packed int8 dots,
 * threshold searches, dequantBits), for Node tests of a plan: they check the packing, the
 * per-channel constants and the tables against the JS reference without a GPU.
 */
import { CHANNEL_WORDS } from './plan';
import type { LayerStep, PoolStep, QuantizeStep, WgslPlan } from './plan';
import { dequantBits } from './dequant-bits';

/** Σ of the four signed byte products of two words: WGSL's dot4I8Packed. */
export function dot4I8(a: number, b: number): number {
  let s = 0;
  for (let j = 0; j < 32; j += 8) s += ((a << (24 - j)) >> 24) * ((b << (24 - j)) >> 24);
  return s;
}

const lane = (word: number, j: number) => (word << (24 - 8 * j)) >> 24;
const pack = (v: readonly number[]) =>
  v.reduce((w, x, j) => (w | ((x & 0xff) << (8 * j))) >>> 0, 0);

/** #{k < n : t[at + k] ≤ v}, the shaders' binary search. */
function search(t: ArrayLike<number>, at: number, n: number, v: number): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (t[at + mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function quantizeInput(s: QuantizeStep, x: Float32Array, batch: number): Uint32Array {
  const cw = Math.ceil(s.channels / 4);
  const out = new Uint32Array(batch * s.pixels * cw);
  for (let p = 0; p < batch * s.pixels; p++) {
    for (let w = 0; w < cw; w++) {
      const v = [0, 1, 2, 3].map((j) => {
        const c = 4 * w + j;
        if (c >= s.channels) return 0;
        return s.lo + search(s.thresholds, 0, s.count, x[p * s.channels + c]!) - 128;
      });
      out[p * cw + w] = pack(v);
    }
  }
  return out;
}

function pool(s: PoolStep, x: Uint32Array, batch: number): Uint32Array {
  const oh = Math.floor(s.h / 2);
  const ow = Math.floor(s.w / 2);
  const out = new Uint32Array(batch * oh * ow * s.cw);
  let o = 0;
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let w = 0; w < s.cw; w++) {
          const at = (dy: number, dx: number) =>
            x[((b * s.h + 2 * y + dy) * s.w + 2 * xx + dx) * s.cw + w]!;
          const words = [at(0, 0), at(0, 1), at(1, 0), at(1, 1)];
          out[o++] = pack([0, 1, 2, 3].map((j) => Math.max(...words.map((v) => lane(v, j)))));
        }
  return out;
}

function layer(s: LayerStep, x: Uint32Array, batch: number): Uint32Array {
  const oh = s.h - s.kh + 1;
  const ow = s.w - s.kw + 1;
  const ocw = Math.ceil(s.outC / 4);
  const outP = 4 * ocw;
  const out = new Uint32Array(batch * oh * ow * (s.last ? s.outC : ocw));
  for (let b = 0; b < batch; b++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++) {
        const acc = new Array<number>(outP).fill(0);
        let sum = 0;
        for (let dy = 0; dy < s.kh; dy++)
          for (let dx = 0; dx < s.kw; dx++)
            for (let ci = 0; ci < s.cw; ci++) {
              const word = x[((b * s.h + y + dy) * s.w + xx + dx) * s.cw + ci]!;
              sum += dot4I8(word, 0x01010101);
              const base = ((dy * s.kw + dx) * s.cw + ci) * outP;
              for (let o = 0; o < outP; o++)
                acc[o] = (acc[o]! + dot4I8(word, s.weights[base + o]!)) | 0;
            }
        const pixel = (b * oh + y) * ow + xx;
        const codes: number[] = [];
        for (let c = 0; c < outP; c++) {
          const ch = c * CHANNEL_WORDS;
          const total = (acc[c]! + Math.imul(s.channels[ch + 1]!, sum) + s.channels[ch]!) | 0;
          if (c >= s.outC) codes.push(0);
          else if (s.last) {
            const [hi, lo, exp] = s.inputScale;
            const sw = {
              hi: s.channels[ch + 4]!,
              lo: s.channels[ch + 5]! >>> 0,
              exp: s.channels[ch + 6]!,
            };
            let bits = dequantBits(total, { hi, lo, exp }, sw);
            if (s.relu && bits >= 0x80000000) bits = 0;
            out[pixel * s.outC + c] = bits;
          } else {
            const q =
              s.channels[ch + 2]! + search(s.thresholds, c * s.stride, s.channels[ch + 3]!, total);
            codes.push(q - 128);
          }
        }
        if (!s.last)
          for (let w = 0; w < ocw; w++) out[pixel * ocw + w] = pack(codes.slice(4 * w, 4 * w + 4));
      }
  return out;
}

/** Logits of a batch through a plan, as f32 (the shaders' output bit patterns). */
export function simulatePlan(plan: WgslPlan, x: Float32Array, batch: number): Float32Array {
  let words: Uint32Array = new Uint32Array(0);
  for (const step of plan.steps) {
    if (step.kind === 'quantize') words = quantizeInput(step, x, batch);
    else if (step.kind === 'pool') words = pool(step, words, batch);
    else words = layer(step, words, batch);
  }
  return new Float32Array(words.buffer);
}
