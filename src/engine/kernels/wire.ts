/**
 * JSON with typed arrays, for the browser check (scripts/check-engine-browser.mjs): Node builds
 * integer models and reference outputs, the page's worker revives them bit for bit.
 */
const TYPES = { Float32Array, Float64Array, Int32Array, Int8Array, Uint8Array } as const;
type TypeName = keyof typeof TYPES;

/** JSON.stringify replacer: a typed array becomes { $typed: name, values: […] }. */
export function encodeTyped(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const name = value.constructor.name as TypeName;
    if (name in TYPES) return { $typed: name, values: Array.from(value as Float64Array) };
  }
  return value;
}

/** JSON.parse reviver: the inverse of encodeTyped (floats round-trip exactly through JSON). */
export function decodeTyped(_key: string, value: unknown): unknown {
  const tagged = value as { $typed?: TypeName; values?: number[] } | null;
  if (tagged && typeof tagged === 'object' && tagged.$typed && tagged.values) {
    return TYPES[tagged.$typed].from(tagged.values);
  }
  return value;
}
