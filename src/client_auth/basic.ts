/**
 * `client_secret_basic`: decoding the HTTP Basic credentials of RFC 6749 s2.3.1.
 *
 * RFC 6749 App. B says the client form-urlencodes its id and secret *before* Basic joins
 * them with a colon. So the server base64-decodes, splits at the first colon (the encoded id
 * cannot contain one), and form-decodes each half: `+` becomes a space and `%XX` escapes
 * become UTF-8 bytes. Clients that skip the encoding still work whenever their id and secret
 * use only form-safe characters, which generated ones do.
 *
 * @module
 */

import { decodeBase64, decodeBase64Ascii, encodeBase64 } from "../encoding/base64.ts";

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/** A client id and secret taken from a Basic header. */
export interface BasicCredentials {
  client_id: string;
  client_secret: string;
}

function formDecode(raw: string): string | undefined {
  if (raw.indexOf("%") === -1 && raw.indexOf("+") === -1) return raw;
  try {
    return decodeURIComponent(raw.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

/** The credentials as UTF-8 text, whatever bytes they hold; `undefined` when malformed. */
function utf8Text(credentials: string): string | undefined {
  const bytes = decodeBase64(credentials);
  if (bytes === undefined) return undefined;
  try {
    return UTF8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Decodes the credentials part of `Authorization: Basic <credentials>`, or returns
 * `undefined` when it is not valid base64, not UTF-8, has no colon, has a malformed
 * percent-escape, or names an empty client id.
 *
 * @example
 * ```ts
 * import { decodeBasicCredentials } from "./basic.ts";
 * decodeBasicCredentials("YStiOmMlMkJk"); // { client_id: "a b", client_secret: "c+d" }
 * ```
 */
export function decodeBasicCredentials(credentials: string): BasicCredentials | undefined {
  // Generated ids and secrets are ASCII: decoded without a byte array or a TextDecoder.
  const text = decodeBase64Ascii(credentials) ?? utf8Text(credentials);
  if (text === undefined) return undefined;
  const colon = text.indexOf(":");
  if (colon === -1) return undefined;
  const client_id = formDecode(text.slice(0, colon));
  const client_secret = formDecode(text.slice(colon + 1));
  if (client_id === undefined || client_secret === undefined || client_id === "") return undefined;
  return { client_id, client_secret };
}

/**
 * Encodes a client id and secret the way RFC 6749 App. B asks a client to: each
 * form-urlencoded, joined by a colon, then base64. The inverse of
 * {@link decodeBasicCredentials}; useful in tests and for clients.
 *
 * @example
 * ```ts
 * import { encodeBasicCredentials } from "./basic.ts";
 * encodeBasicCredentials("s6BhdRkqt3", "7Fjfp0ZBr1KtDRbnfVdmIw");
 * // "czZCaGRSa3F0Mzo3RmpmcDBaQnIxS3REUmJuZlZkbUl3"
 * ```
 */
export function encodeBasicCredentials(client_id: string, client_secret: string): string {
  const form = (s: string) => new URLSearchParams({ s }).toString().slice(2);
  return encodeBase64(new TextEncoder().encode(`${form(client_id)}:${form(client_secret)}`));
}
