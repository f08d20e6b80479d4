// Weight layouts of the int8 engine's kernels, packed once at load, and the pairs of groups whose
// dots the paired kernel may add in int16 (the layer's weights prove no lane can overflow).
import { alloc, scratch } from './memory';
import { I8Op, TILE } from './int8-op';

/** Group g of row dy for tile t in the relaxed layout: 4 vectors of 4 channels × 4 weights (64 bytes). */
function packGroup(op: I8Op, raw: usize, t: i32, dy: i32, g: i32, dst: usize): void {
  const L = op.kw * op.c;
  let o = dst;
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

/** Weights for the relaxed kernels: per tile, row and group, packGroup's 64 bytes. */
export function packRelaxed(op: I8Op, raw: usize): usize {
  const G = op.groups;
  const dst = alloc(<usize>(op.tiles * op.kh * G) * 64);
  if (dst == 0) return 0;
  let o = dst;
  for (let t = 0; t < op.tiles; t++) {
    for (let dy = 0; dy < op.kh; dy++) {
      for (let g = 0; g < G; g++) {
        packGroup(op, raw, t, dy, g, o);
        o += 64;
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

/** Whether groups a and b may share int16 lanes: in each lane q·Σw⁺ ≤ 32767 and q·Σw⁻ ≤ 32768. */
// @ts-ignore: decorator
@inline
function fits(sums: usize, a: i32, b: i32, q: i32): bool {
  const pa = sums + (<usize>a << 8);
  const pb = sums + (<usize>b << 8);
  for (let l: usize = 0; l < <usize>LANES; l++) {
    const pos = load<i32>(pa + (l << 3)) + load<i32>(pb + (l << 3));
    const neg = load<i32>(pa + (l << 3), 4) + load<i32>(pb + (l << 3), 4);
    if (q * pos > 32767 || q * neg > 32768) return false;
  }
  return true;
}

/** Lanes of a tile's i16x8 dots: 16 channels × 2 halves (weights 4g + 2h and 4g + 2h + 1). */
const LANES: i32 = 32;

/**
 * Rows 0 and 1 of a 3-row, one-group kernel (tileRelaxed2Rows3's pairs) share int16 lanes: exact
 * when in every lane qmax·Σw⁺ ≤ 32767 and qmax·Σw⁻ ≤ 32768 over their 4 weights.
 */
export function rowsPairFit(op: I8Op, raw: usize, qmax: i32): bool {
  const q = max(qmax, 1);
  for (let ch = 0; ch < op.outC; ch++) {
    for (let h = 0; h < 2; h++) {
      const a = laneSums(op, raw, ch, 0, 0, h);
      const b = laneSums(op, raw, ch, 1, 0, h);
      const pos = <i32>(a >> 32) + <i32>(b >> 32);
      const neg = <i32>(a & 0xffffffff) + <i32>(b & 0xffffffff);
      if (q * pos > 32767 || q * neg > 32768) return false;
    }
  }
  return true;
}

/** Group i (row i / G, group i % G) of tile t: its input offset dy·w·c + 4g at entry, weights at wp. */
function scheduleGroup(op: I8Op, raw: usize, t: i32, i: i32, entry: usize, wp: usize): void {
  const dy = i / op.groups;
  const g = i % op.groups;
  store<u32>(entry, <u32>(dy * op.w * op.c + 4 * g));
  packGroup(op, raw, t, dy, g, wp);
}

/**
 * The paired kernel's weights and schedule (any layer but tileRelaxed2Rows3's shape). Per tile,
 * its groups (row dy, group g) are matched in pairs that fits() allows, the heaviest (largest lane
 * sum) with the lightest that fits; the rest stay single. Schedule per tile (schedStride bytes):
 * pair count, single count, each pair's two input offsets then each single's (bytes from the
 * window's start, dy·w·c + 4g); weights in the same order, packGroup's 64 bytes a group.
 */
export function packPaired(op: I8Op, raw: usize, qmax: i32): bool {
  const q = max(qmax, 1);
  const n = op.kh * op.groups;
  op.schedStride = (2 + n) << 2;
  op.schedule = alloc(<usize>(op.tiles * op.schedStride));
  op.pairedWeights = alloc(<usize>(op.tiles * n) * 64);
  if (op.schedule == 0 || op.pairedWeights == 0) return false;
  // Scratch: per group 32 lanes of (Σw⁺, Σw⁻), then the groups by weight, used flags, singles.
  const sums = scratch(<usize>n * 256 + <usize>n * 12);
  if (sums == 0) return false;
  const order = sums + (<usize>n << 8);
  const used = order + (<usize>n << 2);
  const singles = used + (<usize>n << 2);
  let wp = op.pairedWeights;
  for (let t = 0; t < op.tiles; t++) {
    for (let i = 0; i < n; i++) {
      let heaviest: i32 = 0;
      for (let l = 0; l < LANES; l++) {
        const ch = t * TILE + (l >> 1);
        const v = ch < op.outC ? laneSums(op, raw, ch, i / op.groups, i % op.groups, l & 1) : 0;
        const pos = <i32>(v >> 32);
        const neg = <i32>(v & 0xffffffff);
        store<i32>(sums + (<usize>i << 8) + (<usize>l << 3), pos);
        store<i32>(sums + (<usize>i << 8) + (<usize>l << 3), neg, 4);
        heaviest = max(heaviest, max(pos, neg));
      }
      // Insertion by weight, heaviest first (the key kept in `used` until matching starts).
      let k = i;
      while (k > 0 && load<i32>(used + (<usize>load<i32>(order + (<usize>(k - 1) << 2)) << 2)) < heaviest) {
        store<i32>(order + (<usize>k << 2), load<i32>(order + (<usize>(k - 1) << 2)));
        k--;
      }
      store<i32>(order + (<usize>k << 2), i);
      store<i32>(used + (<usize>i << 2), heaviest);
    }
    for (let i = 0; i < n; i++) store<i32>(used + (<usize>i << 2), 0);
    const sched = op.schedule + <usize>(t * op.schedStride);
    let entry = sched + 8;
    let pairs = 0;
    let single = 0;
    for (let a = 0; a < n; a++) {
      const i = load<i32>(order + (<usize>a << 2));
      if (load<i32>(used + (<usize>i << 2))) continue;
      store<i32>(used + (<usize>i << 2), 1);
      let partner = -1;
      for (let b = n - 1; b > a; b--) {
        const j = load<i32>(order + (<usize>b << 2));
        if (!load<i32>(used + (<usize>j << 2)) && fits(sums, i, j, q)) {
          partner = j;
          break;
        }
      }
      if (partner < 0) {
        store<i32>(singles + (<usize>single << 2), i);
        single++;
        continue;
      }
      store<i32>(used + (<usize>partner << 2), 1);
      scheduleGroup(op, raw, t, i, entry, wp);
      scheduleGroup(op, raw, t, partner, entry + 4, wp + 64);
      entry += 8;
      wp += 128;
      pairs++;
    }
    for (let s = 0; s < single; s++) {
      scheduleGroup(op, raw, t, load<i32>(singles + (<usize>s << 2)), entry, wp);
      entry += 4;
      wp += 64;
    }
    store<i32>(sched, pairs);
    store<i32>(sched, single, 4);
  }
  return true;
}
