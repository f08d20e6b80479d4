// Weight layouts of the int8 engine's kernels, packed once at load, and the proof that a layer's
// weights let the paired kernel add two groups' dots in int16.
import { alloc } from './memory';
import { I8Op, TILE } from './int8-op';

export function packRelaxed(op: I8Op, raw: usize): usize {
  const L = op.kw * op.c;
  const G = op.groups;
  const dst = alloc(<usize>(op.tiles * op.kh * G) * 64);
  if (dst == 0) return 0;
  let o = dst;
  for (let t = 0; t < op.tiles; t++) {
    for (let dy = 0; dy < op.kh; dy++) {
      for (let g = 0; g < G; g++) {
        for (let b = 0; b < 4; b++) {
          for (let j = 0; j < 4; j++) {
            const ch = t * TILE + b * 4 + j;
            for (let e = 0; e < 4; e++) {
              const k = g * 4 + e;
              let v: i8 = 0;
              if (ch < op.outC && k < L) v = load<i8>(raw + <usize>((dy * L + k) * op.outC + ch));
              store<i8>(o, v);
              o++;
            }
          }
        }
      }
    }
  }
  return dst;
}

export function packFixed(op: I8Op, raw: usize): usize {
  const L = op.kw * op.c;
  const G = op.groups;
  const dst = alloc(<usize>(op.tiles * op.kh * G) * 128);
  if (dst == 0) return 0;
  let o = dst;
  for (let t = 0; t < op.tiles; t++) {
    for (let dy = 0; dy < op.kh; dy++) {
      for (let g = 0; g < G; g++) {
        for (let half = 0; half < 2; half++) {
          for (let b = 0; b < 4; b++) {
            for (let j = 0; j < 4; j++) {
              const ch = t * TILE + b * 4 + j;
              for (let e = 0; e < 2; e++) {
                const k = g * 4 + half * 2 + e;
                let v: i16 = 0;
                if (ch < op.outC && k < L) {
                  v = <i16>load<i8>(raw + <usize>((dy * L + k) * op.outC + ch));
                }
                store<i16>(o, v);
                o += 2;
              }
            }
          }
        }
      }
    }
  }
  return dst;
}

/** Σ of the positive and of the negative weights k = 4g + 2h, 4g + 2h + 1 of row dy, channel ch. */
function laneSums(op: I8Op, raw: usize, ch: i32, dy: i32, g: i32, h: i32): i64 {
  const L = op.kw * op.c;
  let pos: i32 = 0;
  let neg: i32 = 0;
  for (let e = 0; e < 2; e++) {
    const k = g * 4 + h * 2 + e;
    if (k >= L) continue;
    const w = <i32>load<i8>(raw + <usize>((dy * L + k) * op.outC + ch));
    if (w > 0) pos += w;
    else neg -= w;
  }
  return (<i64>pos << 32) | <i64>neg;
}

/**
 * Whether the int16 lanes of K_RELAXED_I16_PAIRS stay exact: each lane adds the products of 4
 * weights with codes 0..qmax, so it lies in [−qmax·Σ neg, qmax·Σ pos] and must fit −32768..32767.
 * The pairs are the kernels' own: groups (g, g + 1) of each row, or rows 0 and 1 of a 3-row,
 * one-group kernel (tileRelaxed2Rows3).
 */
export function pairsFit(op: I8Op, raw: usize, qmax: i32): bool {
  const q = max(qmax, 1);
  const rows3 = op.groups == 1 && op.kh == 3;
  for (let ch = 0; ch < op.outC; ch++) {
    for (let dy = 0; dy < op.kh; dy++) {
      for (let g = 0; g < op.groups; g++) {
        // (dy, g) and its partner (dyB, gB); groups without one are not added in int16.
        let dyB = dy;
        let gB = g + 1;
        if (rows3) {
          if (dy != 0) continue;
          dyB = 1;
          gB = 0;
        } else if ((g & 1) != 0 || gB >= op.groups) {
          continue;
        }
        for (let h = 0; h < 2; h++) {
          const a = laneSums(op, raw, ch, dy, g, h);
          const b = laneSums(op, raw, ch, dyB, gB, h);
          const pos = <i32>(a >> 32) + <i32>(b >> 32);
          const neg = <i32>(a & 0xffffffff) + <i32>(b & 0xffffffff);
          if (q * pos > 32767 || q * neg > 32768) return false;
        }
      }
    }
  }
  return true;
}
