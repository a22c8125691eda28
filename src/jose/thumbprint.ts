/**
 * JWK thumbprints (RFC 7638): the SHA-256 of a key's required members, a stable name for a
 * key. Used as the default `kid`, and (RFC 9449 s6.1) as DPoP's `cnf.jkt`.
 *
 * @module
 */

import { type CryptoProvider, webCrypto } from "../crypto/provider.ts";
import { encodeBase64Url } from "../encoding/base64.ts";
import type { Jwk } from "./jwk.ts";

/** RFC 7638 s3.2: the required members of each key type, in lexicographic order. */
const REQUIRED: Readonly<Record<string, readonly string[]>> = {
  EC: ["crv", "kty", "x", "y"],
  OKP: ["crv", "kty", "x"],
  RSA: ["e", "kty", "n"],
  oct: ["k", "kty"],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a JWK, base64url-encoded. Only the required members
 * count, in lexicographic order with no whitespace (s3), so private members, `kid` or `alg`
 * do not change it. Throws a `TypeError` for an unknown key type or a missing member.
 *
 * @example RFC 9449 s6.1's example key
 * ```ts
 * import { jwkThumbprint } from "./thumbprint.ts";
 * await jwkThumbprint({
 *   kty: "EC",
 *   crv: "P-256",
 *   x: "l8tFrhx-34tV3hRICRDY9zCkDlpBhF42UQUfWVAWBFs",
 *   y: "9VE4jf_Ok_o64zbTTlcuNJajHmt6v9TDVrU0CdvGRDA",
 * }); // "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"
 * ```
 */
export async function jwkThumbprint(jwk: Jwk, provider: CryptoProvider = webCrypto): Promise<string> {
  const required = REQUIRED[jwk.kty];
  if (required === undefined) throw new TypeError(`cannot take the thumbprint of kty ${JSON.stringify(jwk.kty)}`);
  const members: Record<string, string> = {};
  for (const name of required) {
    const value = jwk[name];
    if (typeof value !== "string") throw new TypeError(`the JWK has no ${name}`);
    members[name] = value;
  }
  // JSON.stringify writes members in insertion order (here: lexicographic), with no whitespace.
  const d = provider.digest("SHA-256", new TextEncoder().encode(JSON.stringify(members)));
  return encodeBase64Url(d instanceof Uint8Array ? d : await d);
}
