/**
 * The link format. A share link's hash is
 *
 *   #x=<payload>&c=<check>
 *
 * where <payload> is lz-string's compressToEncodedURIComponent of a compact JSON document (the
 * experiment without its default fields, `v` always kept, plus the optional link-only keys
 * `autorun`, `view` and `reported`), and <check> is the FNV-1a 32-bit hash of that JSON text in
 * base 36, so a link damaged in copying is noticed instead of silently loading other settings.
 */

/** Hash parameter holding the compressed experiment. */
export const PAYLOAD_PARAM = 'x';
/** Hash parameter holding the check code of the JSON text. */
export const CHECK_PARAM = 'c';
/** Longest hash accepted, in characters (8 KB): anything longer is refused unread. */
export const MAX_LINK_CHARS = 8 * 1024;
/** Longest JSON text a payload may unpack to (64 KB): bounds work done on hostile links. */
export const MAX_JSON_CHARS = 64 * 1024;
/** Top-level keys that belong to the link, not to the experiment. */
export const LINK_KEYS = ['autorun', 'view', 'reported'] as const;
/** Characters of lz-string's URI-safe alphabet. */
export const PAYLOAD_ALPHABET = /^[A-Za-z0-9+$-]*$/;

/** FNV-1a 32-bit hash of the UTF-16 code units of `text`, in base 36 (at most 7 characters). */
export function checkCode(text: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0).toString(36);
}

/** The parameters of a hash: '#x=abc&c=12' → { x: 'abc', c: '12' }; the first of each wins. */
export function hashParams(hash: string): Map<string, string> {
  const params = new Map<string, string>();
  const hashAt = hash.indexOf('#');
  const body = (hashAt >= 0 ? hash.slice(hashAt + 1) : hash).trim();
  for (const part of body.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = eq >= 0 ? part.slice(0, eq) : part;
    if (!params.has(key)) params.set(key, eq >= 0 ? part.slice(eq + 1) : '');
  }
  return params;
}

/** True when the hash says nothing at all ('', '#', whitespace). */
export function isEmptyHash(hash: string): boolean {
  return hash.trim().replace(/^#/, '').trim() === '';
}

/**
 * The payload as lz-string expects it: whitespace from line-wrapped mail removed, spaces that a
 * form decoder made of '+' turned back, %-escapes undone. Null when it cannot be a payload.
 */
export function cleanPayload(raw: string): string | null {
  let text = raw.replace(/[\r\n\t]/g, '').replace(/ /g, '+');
  if (text.includes('%')) {
    try {
      text = decodeURIComponent(text);
    } catch {
      return null;
    }
  }
  return PAYLOAD_ALPHABET.test(text) ? text : null;
}
