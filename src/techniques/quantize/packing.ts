/**
 * Bit packing of N-bit integers into bytes, little-endian bit order: bit j of value i sits at
 * stream bit i·N + j, i.e. byte ⌊(i·N + j)/8⌋, bit (i·N + j) mod 8. Signed values use two's
 * complement in N bits.
 */

function assertPackBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 16) {
    throw new RangeError(`Packing needs a whole number of bits from 1 to 16, but got ${bits}.`);
  }
}

/** Integer range one N-bit field holds: signed [−2^(N−1), 2^(N−1)−1], unsigned [0, 2^N−1]. */
export function packRange(bits: number, signed: boolean): { min: number; max: number } {
  assertPackBits(bits);
  return signed
    ? { min: -(2 ** (bits - 1)), max: 2 ** (bits - 1) - 1 }
    : { min: 0, max: 2 ** bits - 1 };
}

/** Bytes for count N-bit values: ⌈N · count / 8⌉. */
export function packedBytes(count: number, bits: number): number {
  assertPackBits(bits);
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`The value count must be a whole number ≥ 0, got ${count}.`);
  }
  return Math.ceil((bits * count) / 8);
}

/** Packs values (each inside packRange) into exactly packedBytes(values.length, bits) bytes. */
export function packBits(values: Int32Array, bits: number, signed: boolean): Uint8Array {
  const { min, max } = packRange(bits, signed);
  const out = new Uint8Array(packedBytes(values.length, bits));
  const mask = (1 << bits) - 1;
  let acc = 0; // at most 7 pending bits + 16 new ones: fits in 32 bits
  let pending = 0;
  let byte = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < min || v > max) {
      throw new RangeError(
        `Value ${v} at index ${i} does not fit in ${bits} bits [${min}, ${max}].`,
      );
    }
    acc |= (v & mask) << pending;
    pending += bits;
    while (pending >= 8) {
      out[byte++] = acc & 0xff;
      acc >>>= 8;
      pending -= 8;
    }
  }
  if (pending > 0) out[byte] = acc & 0xff;
  return out;
}

/** Reads count N-bit values back from packed bytes, sign-extending when signed. */
export function unpackBits(
  bytes: Uint8Array,
  count: number,
  bits: number,
  signed: boolean,
): Int32Array {
  const need = packedBytes(count, bits);
  if (bytes.length < need) {
    throw new RangeError(
      `${count} values of ${bits} bits need ${need} bytes, got ${bytes.length}.`,
    );
  }
  const out = new Int32Array(count);
  const mask = (1 << bits) - 1;
  const signBit = 1 << (bits - 1);
  let acc = 0;
  let pending = 0;
  let byte = 0;
  for (let i = 0; i < count; i++) {
    while (pending < bits) {
      acc |= bytes[byte++]! << pending;
      pending += 8;
    }
    const field = acc & mask;
    acc >>>= bits;
    pending -= bits;
    out[i] = signed && field & signBit ? field - (mask + 1) : field;
  }
  return out;
}
