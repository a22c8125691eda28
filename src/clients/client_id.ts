/**
 * Which client_ids this library can hold: at most {@link MAX_CLIENT_ID_BYTES} bytes of
 * UTF-8, no U+0000, no lone surrogate. RFC 6749 s2.2 leaves the size to the server; a
 * limit keeps every store able to hold every id it may be asked for (PostgreSQL `text`
 * cannot hold a NUL, a Deno KV key is at most 2 KiB, and UTF-8 has no lone surrogates).
 *
 * A registration with another id is refused at start-up (or by `saveClient`); a request
 * naming one is answered as any unknown client is (`invalid_client`, after the same work),
 * and no store is ever asked about it.
 *
 * @module
 */

/**
 * The longest client_id accepted, in bytes of UTF-8: 512. A registration with a longer id is
 * refused; a request naming one is answered as an unknown client.
 *
 * @example
 * ```ts
 * import { MAX_CLIENT_ID_BYTES } from "./client_id.ts";
 * const fits = (id: string) => new TextEncoder().encode(id).length <= MAX_CLIENT_ID_BYTES;
 * ```
 */
export const MAX_CLIENT_ID_BYTES: number = 512;

/** A NUL, a surrogate (lone or not: pairs are checked below), so the common case is one test. */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Bytes of `s` in UTF-8, for a string without lone surrogates. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // 2 bytes below U+0800, 3 above; a surrogate pair (2 units) is 4 bytes.
    if (c >= 0x80) n += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return n;
}

/**
 * Why no store could hold `client_id`, or `undefined` when it is fine.
 *
 * @example
 * ```ts
 * import { clientIdProblem } from "./client_id.ts";
 * clientIdProblem("billing"); // undefined
 * clientIdProblem("a\u0000b"); // "contains U+0000"
 * ```
 */
export function clientIdProblem(client_id: string): string | undefined {
  // Every UTF-16 unit is at least one byte and at most three: most ids are decided here.
  if (client_id.length > MAX_CLIENT_ID_BYTES) return `is longer than ${MAX_CLIENT_ID_BYTES} bytes`;
  if (SUSPECT.test(client_id)) {
    if (client_id.includes("\u0000")) return "contains U+0000";
    if (LONE_SURROGATE.test(client_id)) return "is not well-formed Unicode (a lone surrogate)";
  }
  if (client_id.length * 3 > MAX_CLIENT_ID_BYTES && utf8Length(client_id) > MAX_CLIENT_ID_BYTES) {
    return `is longer than ${MAX_CLIENT_ID_BYTES} bytes`;
  }
  return undefined;
}
