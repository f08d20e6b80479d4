/**
 * The safetensors format, written and read in plain TypeScript: an unsigned 64-bit little-endian
 * header length N, N bytes of UTF-8 JSON {name: {dtype, shape, data_offsets: [begin, end]},
 * "__metadata__": {string: string}} padded with spaces to a multiple of 8, then the tensors' raw
 * little-endian bytes, back to back, offsets counted from the end of the header.
 */

export type SafetensorsDtype = 'F32' | 'I32' | 'U8';

/** One named tensor: row-major values of `shape`. */
export interface NamedTensor {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Int32Array | Uint8Array;
}

const ITEM_BYTES: Record<SafetensorsDtype, number> = { F32: 4, I32: 4, U8: 1 };

function checkTensor(t: NamedTensor): void {
  const count = t.shape.reduce((a, b) => a * b, 1);
  if (!t.shape.every((d) => Number.isInteger(d) && d >= 0) || count !== t.data.length) {
    throw new RangeError(`${t.name}: shape [${t.shape}] does not hold ${t.data.length} values.`);
  }
  const expected = { F32: Float32Array, I32: Int32Array, U8: Uint8Array }[t.dtype];
  if (!(t.data instanceof expected)) {
    throw new TypeError(`${t.name}: ${t.dtype} data must be a ${expected.name}.`);
  }
  if (t.name === '__metadata__' || t.name.length === 0) {
    throw new RangeError(`'${t.name}' cannot name a tensor.`);
  }
}

/** Encodes tensors (in order) and string metadata as a .safetensors file: 8 + N + Σ bytes. */
export function encodeSafetensors(
  tensors: readonly NamedTensor[],
  metadata: Readonly<Record<string, string>> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header['__metadata__'] = { ...metadata };
  let offset = 0;
  for (const t of tensors) {
    checkTensor(t);
    if (Object.hasOwn(header, t.name)) throw new RangeError(`Tensor ${t.name} appears twice.`);
    const bytes = t.data.length * ITEM_BYTES[t.dtype];
    header[t.name] = {
      dtype: t.dtype,
      shape: [...t.shape],
      data_offsets: [offset, offset + bytes],
    };
    offset += bytes;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerBytes = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(8 + headerBytes + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(headerBytes), true);
  out.set(json, 8);
  out.fill(0x20, 8 + json.length, 8 + headerBytes); // spaces: still valid JSON
  let at = 8 + headerBytes;
  for (const t of tensors) {
    for (let i = 0; i < t.data.length; i++, at += ITEM_BYTES[t.dtype]) {
      const v = t.data[i]!;
      if (t.dtype === 'F32') view.setFloat32(at, v, true);
      else if (t.dtype === 'I32') view.setInt32(at, v, true);
      else view.setUint8(at, v);
    }
  }
  return out;
}

/** Decodes a .safetensors file of F32 / I32 / U8 tensors; throws on anything inconsistent. */
export function decodeSafetensors(bytes: Uint8Array): {
  tensors: NamedTensor[];
  metadata: Record<string, string>;
} {
  if (bytes.length < 8) throw new RangeError('Too short for a safetensors header length.');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = Number(view.getBigUint64(0, true));
  if (8 + headerBytes > bytes.length) throw new RangeError('The header runs past the end.');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + headerBytes))) as Record<
    string,
    { dtype: SafetensorsDtype; shape: number[]; data_offsets: [number, number] }
  >;
  const metadata = (header['__metadata__'] ?? {}) as unknown as Record<string, string>;
  const base = 8 + headerBytes;
  const tensors: NamedTensor[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const size = ITEM_BYTES[info.dtype];
    if (size === undefined) throw new RangeError(`${name}: unsupported dtype ${info.dtype}.`);
    const [begin, end] = info.data_offsets;
    const count = info.shape.reduce((a, b) => a * b, 1);
    if (end - begin !== count * size || base + end > bytes.length) {
      throw new RangeError(`${name}: its offsets do not match its shape.`);
    }
    const read = (i: number) => base + begin + i * size;
    const data =
      info.dtype === 'F32'
        ? Float32Array.from({ length: count }, (_, i) => view.getFloat32(read(i), true))
        : info.dtype === 'I32'
          ? Int32Array.from({ length: count }, (_, i) => view.getInt32(read(i), true))
          : bytes.slice(base + begin, base + end);
    tensors.push({ name, dtype: info.dtype, shape: [...info.shape], data });
  }
  return { tensors, metadata };
}
