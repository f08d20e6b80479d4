import { describe, expect, it } from 'vitest';
import { createRng } from '../../engine/rng';
import { packBits, packRange, packedBytes, unpackBits } from './packing';

describe('packedBytes', () => {
  it('is ⌈bits · count / 8⌉', () => {
    expect(packedBytes(0, 4)).toBe(0);
    expect(packedBytes(1, 4)).toBe(1);
    expect(packedBytes(3, 4)).toBe(2);
    expect(packedBytes(8, 3)).toBe(3);
    expect(packedBytes(9, 3)).toBe(4);
    expect(packedBytes(10, 16)).toBe(20);
    expect(packedBytes(1000, 5)).toBe(625);
    expect(() => packedBytes(3, 17)).toThrow(RangeError);
    expect(() => packedBytes(-1, 8)).toThrow(RangeError);
  });
});

describe('packBits / unpackBits', () => {
  it('little-endian bit order, hand example', () => {
    // 4-bit unsigned [1, 2, 3] → bytes 0x21, 0x03
    expect(Array.from(packBits(Int32Array.from([1, 2, 3]), 4, false))).toEqual([0x21, 0x03]);
    // 2-bit signed [-1, 0, 1, -2] → fields 11, 00, 01, 10 → 0b10_01_00_11
    expect(Array.from(packBits(Int32Array.from([-1, 0, 1, -2]), 2, true))).toEqual([0b10010011]);
    // 3-bit unsigned [7, 0, 5]: bits 111 000 101 → byte0 = 0b01_000_111, byte1 = 0b1
    expect(Array.from(packBits(Int32Array.from([7, 0, 5]), 3, false))).toEqual([0x47, 0x01]);
  });

  for (const bits of [1, 2, 3, 4, 5, 6, 7, 8, 16]) {
    for (const signed of [false, true]) {
      it(`${bits}-bit ${signed ? 'signed' : 'unsigned'} round trip in exactly ⌈N·count/8⌉ bytes`, () => {
        const { min, max } = packRange(bits, signed);
        const rng = createRng(bits * 2 + (signed ? 1 : 0));
        for (const count of [0, 1, 7, 13, 1001]) {
          const values = Int32Array.from({ length: count }, () =>
            Math.floor(min + rng() * (max - min + 1)),
          );
          if (count > 2) {
            values[0] = min;
            values[1] = max;
          }
          const packed = packBits(values, bits, signed);
          expect(packed.length).toBe(Math.ceil((bits * count) / 8));
          expect(Array.from(unpackBits(packed, count, bits, signed))).toEqual(Array.from(values));
        }
      });
    }
  }

  it('rejects values that do not fit and short buffers', () => {
    expect(() => packBits(Int32Array.from([8]), 3, false)).toThrow(/does not fit in 3 bits/);
    expect(() => packBits(Int32Array.from([-5]), 3, true)).toThrow(RangeError);
    expect(() => packBits(Int32Array.from([-1]), 4, false)).toThrow(RangeError);
    expect(() => unpackBits(new Uint8Array(1), 3, 4, false)).toThrow(/need 2 bytes/);
  });
});
